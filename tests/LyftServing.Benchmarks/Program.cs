using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/LyftServing.Benchmarks -- --filter '*'      (BenchmarkDotNet classes)
// dotnet run -c Release --project tests/LyftServing.Benchmarks -- --batching [model ...]  (the batching load harness)
if (args.Contains("--batching"))
{
    await LyftServing.Benchmarks.BatchingThroughput.RunAsync([.. args.Where(a => !a.StartsWith("--", StringComparison.Ordinal))]);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, new LyftServing.Benchmarks.InProcessConfig());
