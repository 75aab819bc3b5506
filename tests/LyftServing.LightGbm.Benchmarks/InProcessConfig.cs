using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace LyftServing.LightGbm.Benchmarks;

/// <summary>
/// Runs in this process (no child build, so it works where only the SDK's restore feed is
/// reachable), with modest iteration counts, memory diagnostics and a GitHub markdown report.
/// </summary>
public sealed class InProcessConfig : ManualConfig
{
    public InProcessConfig()
    {
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(8)
            .WithIterationCount(30)
            .WithId("InProcess"));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumnProvider(DefaultColumnProviders.Instance);
        AddColumn(StatisticColumn.Median);
        AddLogger(ConsoleLogger.Default);
        AddExporter(MarkdownExporter.GitHub);
    }
}
