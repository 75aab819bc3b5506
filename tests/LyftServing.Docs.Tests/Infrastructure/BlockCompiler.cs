using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LyftServing.Docs.Tests.Infrastructure;

/// <summary>
/// Compiles a C# block of a doc the way a reader's project would: the block is one source file
/// with its own <c>using</c> lines, in a .NET 10 project with implicit usings (the
/// <c>dotnet new console</c> set) and this test project's package references. Types declared in
/// earlier blocks of the same doc are in scope (the doc builds its program up block by block),
/// and so are the tutorial's (<c>FareModel</c>, <c>Trip</c>), which the other docs build on;
/// their top-level statements are not.
/// </summary>
public static class BlockCompiler
{
    /// <summary>The implicit usings of a <c>Microsoft.NET.Sdk</c> project; every other namespace must be named by the block.</summary>
    public const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    /// <summary>The doc whose types every other doc may use.</summary>
    public const string Tutorial = "docs/tutorials/getting-started.md";

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.CSharp14);
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
        [.. ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            .Select(p => MetadataReference.CreateFromFile(p))]);

    /// <summary>Compiles a block.</summary>
    /// <param name="block">The block.</param>
    /// <returns>The compilation and its errors, described with the doc's file and line.</returns>
    public static (CSharpCompilation Compilation, IReadOnlyList<string> Errors) Compile(DocBlock block)
    {
        var tree = CSharpSyntaxTree.ParseText(block.Code, ParseOptions, path: block.ToString());
        var trees = new List<SyntaxTree> { tree, CSharpSyntaxTree.ParseText(ImplicitUsings, ParseOptions, path: "ImplicitUsings.g.cs") };

        // The other blocks' types, each name from the nearest block that declares it: this block,
        // then the doc's earlier blocks (nearest first), its later blocks, then the tutorial's.
        var claimed = DeclaredTypes(tree.GetCompilationUnitRoot());
        var fileBlocks = DocFiles.Blocks(block.File).Where(b => b.IsCSharp && b.Index != block.Index).ToList();
        IEnumerable<DocBlock> context =
        [
            .. fileBlocks.Where(b => b.Index < block.Index).Reverse(),
            .. fileBlocks.Where(b => b.Index > block.Index),
            .. block.File == Tutorial ? Enumerable.Empty<DocBlock>() : DocFiles.Blocks(Tutorial).Where(b => b.IsCSharp).Reverse(),
        ];
        foreach (var other in context)
        {
            var root = Parse(other).GetCompilationUnitRoot();
            var types = TopLevelTypes(root).Where(t => claimed.Add(t.Identifier.Text)).ToHashSet();
            if (types.Count == 0)
            {
                continue;
            }

            // Types stay in their namespaces (a doc may show a library's files: `namespace X;` and its types).
            var kept = root.RemoveNodes(
                root.Members.Concat(root.Members.OfType<BaseNamespaceDeclarationSyntax>().SelectMany(n => n.Members))
                    .Where(m => m is not BaseNamespaceDeclarationSyntax && (m is not BaseTypeDeclarationSyntax t || !types.Contains(t))),
                SyntaxRemoveOptions.KeepNoTrivia)!;
            trees.Add(CSharpSyntaxTree.Create(kept, ParseOptions, path: $"{other} (its types)"));
        }

        var hasStatements = tree.GetCompilationUnitRoot().Members.Any(m => m is GlobalStatementSyntax);
        var compilation = CSharpCompilation.Create(
            $"DocBlock_{Guid.NewGuid():N}",
            trees,
            References.Value,
            new CSharpCompilationOptions(hasStatements ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var errors = compilation.GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error)
            .Select(d => Describe(block, d))
            .ToList();
        return (compilation, errors);
    }

    /// <summary>
    /// Runs a compiled block's top-level statements in <paramref name="workingDirectory"/> and
    /// returns what it wrote to the console's standard output. Its logs go elsewhere: a doc's
    /// output blocks show what the program prints, not its host's log lines.
    /// </summary>
    /// <param name="compilation">A compilation of a block with top-level statements.</param>
    /// <param name="workingDirectory">The current directory (and so the host's content root) while it runs.</param>
    /// <param name="timeout">How long it may run.</param>
    /// <returns>Its standard output and standard error.</returns>
    public static async Task<(string Output, string Error)> RunAsync(CSharpCompilation compilation, string workingDirectory, TimeSpan timeout)
    {
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        Assert.True(emitted.Success, string.Join('\n', emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        image.Position = 0;

        var context = new AssemblyLoadContext(compilation.AssemblyName, isCollectible: true);
        var previousDirectory = Directory.GetCurrentDirectory();
        var (previousOut, previousError) = (Console.Out, Console.Error);
        var previousThreshold = Environment.GetEnvironmentVariable("Logging__Console__LogToStandardErrorThreshold");
        var output = new StringWriter();
        var error = new StringWriter();
        try
        {
            var entryPoint = context.LoadFromStream(image).EntryPoint!;
            Directory.SetCurrentDirectory(workingDirectory);
            Environment.SetEnvironmentVariable("Logging__Console__LogToStandardErrorThreshold", "Trace");
            Console.SetOut(TextWriter.Synchronized(output));
            Console.SetError(TextWriter.Synchronized(error));
            var run = Task.Run(() => entryPoint.Invoke(null, entryPoint.GetParameters().Length == 0 ? null : [Array.Empty<string>()]));
            await run.WaitAsync(timeout);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            throw new InvalidOperationException($"{compilation.SyntaxTrees[0].FilePath} threw: {ex.InnerException}\nIt printed:\n{output}\n{error}", ex.InnerException);
        }
        finally
        {
            Console.SetOut(previousOut);
            Console.SetError(previousError);
            Environment.SetEnvironmentVariable("Logging__Console__LogToStandardErrorThreshold", previousThreshold);
            Directory.SetCurrentDirectory(previousDirectory);
            context.Unload();
        }

        return (output.ToString(), error.ToString());
    }

    private static SyntaxTree Parse(DocBlock block) => CSharpSyntaxTree.ParseText(block.Code, ParseOptions, path: block.ToString());

    private static HashSet<string> DeclaredTypes(CompilationUnitSyntax root) =>
        TopLevelTypes(root).Select(t => t.Identifier.Text).ToHashSet(StringComparer.Ordinal);

    /// <summary>The types a block declares at its top level or directly in a namespace.</summary>
    private static IEnumerable<BaseTypeDeclarationSyntax> TopLevelTypes(CompilationUnitSyntax root) =>
        root.Members.OfType<BaseTypeDeclarationSyntax>()
            .Concat(root.Members.OfType<BaseNamespaceDeclarationSyntax>().SelectMany(n => n.Members.OfType<BaseTypeDeclarationSyntax>()));

    private static string Describe(DocBlock block, Diagnostic diagnostic)
    {
        var span = diagnostic.Location.GetLineSpan();
        var where = diagnostic.Location.SourceTree?.FilePath == block.ToString()
            ? $"{block.File}:{block.Line + 1 + span.StartLinePosition.Line}"
            : span.Path;
        var text = new StringBuilder($"{where}: {diagnostic.Id}: {diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}");
        if (diagnostic.Location.SourceTree?.FilePath == block.ToString())
        {
            text.Append("\n    ").Append(block.Code.Split('\n')[span.StartLinePosition.Line].Trim());
        }

        return text.ToString();
    }
}
