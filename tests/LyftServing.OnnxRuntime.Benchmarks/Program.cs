using BenchmarkDotNet.Running;
using LyftServing.OnnxRuntime.Benchmarks;

BenchmarkSwitcher.FromAssembly(typeof(TypedPathBenchmarks).Assembly).Run(args, new InProcessConfig());
