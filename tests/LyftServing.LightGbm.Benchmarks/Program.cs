using BenchmarkDotNet.Running;
using LyftServing.LightGbm.Benchmarks;

BenchmarkSwitcher.FromAssembly(typeof(PerRowBenchmarks).Assembly).Run(args, new InProcessConfig());
