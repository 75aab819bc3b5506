using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/LyftServing.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, new LyftServing.Benchmarks.InProcessConfig());
