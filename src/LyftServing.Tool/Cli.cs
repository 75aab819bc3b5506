using System.Diagnostics;
using LyftServing.Testing;
using Microsoft.Extensions.Logging;

namespace LyftServing.Tool;

/// <summary>The command line: parses arguments, runs the self-tests, writes the reports.</summary>
internal static class Cli
{
    /// <summary>Every case passed.</summary>
    public const int Passed = 0;

    /// <summary>A case failed, a model could not be loaded, or publishing failed.</summary>
    public const int Failed = 1;

    /// <summary>The command line or a named file is wrong.</summary>
    public const int UsageError = 2;

    public const string Usage = """
        Usage: lyftserving test <store> [options]

        Runs the self-tests of every model in a model store directory ({store}/{model}/{version}/),
        as a service runs them after loading a version, and exits with 1 if any fails. A line per
        model version as it finishes goes to standard error, the report to standard output.

        Models are served by the runtimes their model.json names: the ONNX runtime (onnx) and
        every runtime package next to this tool or named with --runtime, plus the registrations of any
        --setup assembly (for models with C# code).

        Options:
          --setup <assembly.dll>    an assembly with an IModelServingSetup (a service's or its test
                                    project's build output): its registration is used too; repeatable
          --runtime <assembly.dll>  an assembly whose public static Add*Runtime(s)(this IModelServingBuilder)
                                    registers runtimes (a runtime package, or a service's C# models); repeatable
          --junit <file>            also write the results as JUnit XML
          --trx <file>              also write the results as a TRX file (Azure DevOps, Visual Studio)
          --allow-no-self-tests     a version without self-test cases passes (default: it fails)
          -h, --help                show this help
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            await output.WriteLineAsync(Usage + Environment.NewLine + Environment.NewLine + PublishCommand.Usage).ConfigureAwait(false);
            return args.Length == 0 ? UsageError : Passed;
        }

        if (args[0] == "publish")
        {
            return await PublishAsync(args, output, error).ConfigureAwait(false);
        }

        if (!TestCommand.TryParse(args, out var command, out var problem))
        {
            await error.WriteLineAsync($"lyftserving: {problem}{Environment.NewLine}{Environment.NewLine}{Usage}").ConfigureAwait(false);
            return UsageError;
        }

        if (!Directory.Exists(command.Store))
        {
            await error.WriteLineAsync($"lyftserving: the model store '{command.StoreAsGiven}' does not exist.").ConfigureAwait(false);
            return UsageError;
        }

        Registrations registrations;
        try
        {
            registrations = Registrations.Load(command.Runtimes, command.Setups);
        }
        catch (Exception ex) when (ex is FileNotFoundException or BadImageFormatException or InvalidOperationException or FileLoadException)
        {
            await error.WriteLineAsync($"lyftserving: {ex.Message}").ConfigureAwait(false);
            return UsageError;
        }

        await output.WriteLineAsync($"Testing the models in {command.StoreAsGiven}").ConfigureAwait(false);
        await output.WriteLineAsync($"Registrations: {string.Join(", ", registrations.Descriptions)}").ConfigureAwait(false);
        var started = Stopwatch.GetTimestamp();
        // A line per model version as it finishes, on standard error; the report follows on standard output.
        var cases = await ModelSelfTests.RunAsync(
            builder =>
            {
                registrations.Configure(builder);
                builder.Logging.AddProvider(new ProgressLoggerProvider(error));
            },
            new ModelSelfTestOptions { Store = command.Store, AllowModelsWithoutSelfTests = command.AllowNoSelfTests })
            .ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started);

        await ConsoleReport.WriteAsync(output, cases, elapsed).ConfigureAwait(false);
        if (command.JUnit is { } junit)
        {
            JUnitReport.Write(junit, command.Store, cases, elapsed);
            await output.WriteLineAsync($"JUnit results: {junit}").ConfigureAwait(false);
        }

        if (command.Trx is { } trx)
        {
            TrxReport.Write(trx, command.Store, cases, elapsed);
            await output.WriteLineAsync($"TRX results: {trx}").ConfigureAwait(false);
        }

        return cases.All(c => c.Passed) ? Passed : Failed;
    }
    private static async Task<int> PublishAsync(string[] args, TextWriter output, TextWriter error)
    {
        if (!PublishCommand.TryParse(args, out var command, out var problem))
        {
            await error.WriteLineAsync($"lyftserving: {problem}{Environment.NewLine}{Environment.NewLine}{PublishCommand.Usage}").ConfigureAwait(false);
            return UsageError;
        }

        if (!Directory.Exists(command.Folder))
        {
            await error.WriteLineAsync($"lyftserving: the folder '{command.Folder}' does not exist.").ConfigureAwait(false);
            return UsageError;
        }

        try
        {
            var manifest = await command.RunAsync(CancellationToken.None).ConfigureAwait(false);
            foreach (var file in manifest.Files!)
            {
                await output.WriteLineAsync($"  {file.Path}  {file.Size} bytes  sha256 {file.Sha256}").ConfigureAwait(false);
            }

            await output.WriteLineAsync($"Published model '{command.Model}' version '{command.Version}' to {command.Store}: {manifest.Files!.Count} files, then {ModelArtifact.ManifestFileName}.").ConfigureAwait(false);
            return Passed;
        }
        catch (Exception ex) when (ex is ModelStoreException or IOException or InvalidOperationException or InvalidDataException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"lyftserving: publishing failed: {ex.Message}").ConfigureAwait(false);
            return Failed;
        }
    }
}
