using BenchmarkDotNet.Running;
using LyftServing.OnnxRuntime.Benchmarks;
using LyftServing.TorchSharp.Benchmarks;

// `-- soak [calls]`: the memory soak; `-- interleaved [rounds]`: the ratios measured interleaved;
// `-- costs [rounds]`: the steps of one call timed alone (RESULTS.md); anything else goes to BenchmarkDotNet.
if (args is ["soak", ..])
{
    return await Soak.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000);
}

if (args is ["costs", ..])
{
    return Costs.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 41);
}

if (args is ["interleaved", ..])
{
    return Interleaved.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 41);
}

BenchmarkSwitcher.FromAssembly(typeof(TypedPathBenchmarks).Assembly).Run(args, new InProcessConfig());
return 0;
