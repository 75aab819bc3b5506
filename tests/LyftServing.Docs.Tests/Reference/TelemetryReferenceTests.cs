using System.Diagnostics.Metrics;
using System.Reflection;
using LyftServing.AspNetCore;
using LyftServing.Docs.Tests.Infrastructure;
using LyftServing.OnnxRuntime;
using LyftServing.TorchSharp;

namespace LyftServing.Docs.Tests.Reference;

/// <summary>
/// The telemetry tables name exactly the instruments LyftServing creates (name, kind, unit) and
/// the log events it defines (id, name, level).
/// </summary>
public class TelemetryReferenceTests
{
    private const string Reference = "docs/reference/telemetry.md";

    [Fact]
    public async Task TelemetryReference_MetricsTable_MatchesTheInstrumentsCreated()
    {
        var instruments = await CreatedInstrumentsAsync();
        var table = DocFiles.Table(Reference, "Metrics", "instrument");

        var problems = Compare(table, instruments, complete: true);

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public async Task CoreReadme_MetricsTable_NamesInstrumentsWithTheirKindAndUnit()
    {
        var instruments = await CreatedInstrumentsAsync();
        var table = DocFiles.Table("src/LyftServing.Core/README.md", "Telemetry", "instrument");

        var problems = Compare(table, instruments, complete: false);

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void TelemetryReference_MetricsTags_AreTheTagConstants()
    {
        var tags = typeof(ModelServingTelemetry).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.Name.EndsWith("Tag", StringComparison.Ordinal))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToHashSet(StringComparer.Ordinal);
        var table = DocFiles.Table(Reference, "Metrics", "instrument");

        var unknown = table.Rows
            .SelectMany(r => System.Text.RegularExpressions.Regex.Matches(r[Array.IndexOf(table.Header, "tags")], "`([a-z_.]+)`").Select(m => m.Groups[1].Value))
            .Where(t => t.Contains('.', StringComparison.Ordinal) && !tags.Contains(t))
            .Distinct()
            .ToList();

        Assert.True(unknown.Count == 0, $"{Reference}: tags that are not constants of ModelServingTelemetry: {string.Join(", ", unknown)}");
    }

    [Fact]
    public void TelemetryReference_CoreLogTable_MatchesTheEventIds() =>
        AssertEvents(DocFiles.Table(Reference, "Logs", "id"), typeof(ModelServingOptions).Assembly, "LyftServing.Internal");

    [Fact]
    public void TelemetryReference_HttpEndpointLogTable_MatchesTheEventIds()
    {
        AssertEvents(DocFiles.Table(Reference, "Logs", "id", occurrence: 2), typeof(ModelServingHttpOptions).Assembly, "LyftServing.AspNetCore.Internal");
    }

    [Fact]
    public void OnnxReadme_LogTable_MatchesTheEventIds()
    {
        var table = DocFiles.Table("src/LyftServing.OnnxRuntime/README.md", "Telemetry", "event id");
        var rows = table with { Header = [.. table.Header.Select(h => h == "event id" ? "id" : h)] };

        AssertEvents(rows, typeof(OnnxModelSettings).Assembly, "LyftServing.OnnxRuntime.Internal");
    }

    [Fact]
    public void TorchSharpReadme_LogTable_MatchesTheEventIds()
    {
        var table = DocFiles.Table("src/LyftServing.TorchSharp/README.md", "Telemetry", "event id");
        var rows = table with { Header = [.. table.Header.Select(h => h == "event id" ? "id" : h)] };

        AssertEvents(rows, typeof(TorchSharpSettings).Assembly, "LyftServing.TorchSharp.Internal");
    }

    [Fact]
    public void LightGbmReadme_LogTable_MatchesTheEventIds()
    {
        var table = DocFiles.Table("src/LyftServing.LightGbm/README.md", "Telemetry", "event id");
        var rows = table with { Header = [.. table.Header.Select(h => h == "event id" ? "id" : h)] };

        AssertEvents(rows, typeof(LightGbm.LightGbmModelSettings).Assembly, "LyftServing.LightGbm.Internal");
    }

    private static void AssertEvents(DocTable table, Assembly assembly, string internalNamespace)
    {
        var ids = assembly.GetType($"{internalNamespace}.EventIds", throwOnError: true)!
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .ToDictionary(f => (int)f.GetRawConstantValue()!, f => f.Name);
        var levels = assembly.GetType($"{internalNamespace}.Log", throwOnError: true)!
            .GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            .Select(m => m.GetCustomAttribute<LoggerMessageAttribute>())
            .OfType<LoggerMessageAttribute>()
            .ToDictionary(a => a.EventId, a => a.Level);
        var documented = table.Rows.Select(r => (Id: int.Parse(table.Cell(r, "id"), System.Globalization.CultureInfo.InvariantCulture), Name: table.Cell(r, "name"), Level: table.Cell(r, "level"))).ToList();

        var problems = new List<string>();
        foreach (var (id, name, level) in documented)
        {
            if (!ids.TryGetValue(id, out var actualName))
            {
                problems.Add($"{table.Where}: event {id} ({name}) does not exist.");
                continue;
            }

            if (actualName != name)
            {
                problems.Add($"{table.Where}: event {id} is {actualName}, not {name}.");
            }

            if (!levels.TryGetValue(id, out var actualLevel) || actualLevel.ToString() != level)
            {
                problems.Add($"{table.Where}: event {id} ({name}) is logged at {(levels.TryGetValue(id, out var l) ? l.ToString() : "no level")}, not {level}.");
            }
        }

        problems.AddRange(ids.Keys.Except(documented.Select(d => d.Id)).Select(id => $"{table.Where}: event {id} ({ids[id]}) is not in the table."));
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    private static List<string> Compare(DocTable table, Dictionary<string, (string Kind, string? Unit)> instruments, bool complete)
    {
        var problems = new List<string>();
        foreach (var row in table.Rows)
        {
            var name = table.Cell(row, "instrument");
            if (!instruments.TryGetValue(name, out var actual))
            {
                problems.Add($"{table.Where}: '{name}' is not an instrument LyftServing creates.");
                continue;
            }

            if (table.Cell(row, "type") != actual.Kind)
            {
                problems.Add($"{table.Where}: '{name}' is a {actual.Kind}, not a {table.Cell(row, "type")}.");
            }

            if (table.Cell(row, "unit") != actual.Unit)
            {
                problems.Add($"{table.Where}: '{name}' has the unit '{actual.Unit}', not '{table.Cell(row, "unit")}'.");
            }
        }

        if (complete)
        {
            var documented = table.Column("instrument").ToHashSet(StringComparer.Ordinal);
            problems.AddRange(instruments.Keys.Where(k => !documented.Contains(k)).Select(k => $"{table.Where}: the instrument '{k}' is not in the table."));
        }

        return problems;
    }

    /// <summary>The instruments of the LyftServing meter once a host with model serving runs: name → (kind as the docs say it, unit).</summary>
    private static async Task<Dictionary<string, (string Kind, string? Unit)>> CreatedInstrumentsAsync()
    {
        var instruments = new Dictionary<string, (string, string?)>(StringComparer.Ordinal);
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == ModelServingTelemetry.MeterName)
                {
                    lock (instruments)
                    {
                        instruments[instrument.Name] = (Kind(instrument), instrument.Unit);
                    }
                }
            },
        };
        listener.Start();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddModelServing();
        using var host = builder.Build();
        await host.StartAsync();
        await host.StopAsync();
        lock (instruments)
        {
            return new Dictionary<string, (string, string?)>(instruments, StringComparer.Ordinal);
        }
    }

    private static string Kind(Instrument instrument) => instrument.GetType().GetGenericTypeDefinition().Name.Split('`')[0] switch
    {
        "Histogram" => "histogram",
        "Counter" => "counter",
        "UpDownCounter" => "up-down counter",
        "Gauge" => "gauge",
        "ObservableCounter" => "observable counter",
        "ObservableUpDownCounter" => "observable up-down counter",
        "ObservableGauge" => "observable gauge",
        var other => other,
    };
}
