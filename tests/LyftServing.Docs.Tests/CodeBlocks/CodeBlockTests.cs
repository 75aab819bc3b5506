using LyftServing.Docs.Tests.Infrastructure;

namespace LyftServing.Docs.Tests.CodeBlocks;

/// <summary>
/// Every C# block of docs/ and the READMEs compiles as the one source file of a reader's project
/// (see <see cref="BlockCompiler"/>); a block followed by an <c>output</c> block prints it.
/// </summary>
[Collection(RunsAloneDefinition.Name)]
public class CodeBlockTests
{
    public static TheoryData<string> CSharpBlocks => [.. DocFiles.CSharpBlocks().Select(Key)];

    public static TheoryData<string> CSharpBlocksWithOutput =>
        [.. DocFiles.Files.SelectMany(DocFiles.Blocks).Where(b => b.IsOutput).Select(Producer).Where(b => b.IsCSharp).Select(Key)];

    [Fact]
    public void Docs_CSharpBlocks_AreFoundInEveryCheckedPlace()
    {
        var files = DocFiles.CSharpBlocks().Select(b => b.File).ToHashSet();

        Assert.Contains("README.md", files);
        Assert.Contains("docs/tutorials/getting-started.md", files);
        Assert.Contains("src/LyftServing.Core/README.md", files);
        Assert.True(DocFiles.CSharpBlocks().Count() >= 30, $"only {DocFiles.CSharpBlocks().Count()} C# blocks found");
    }

    [Theory]
    [MemberData(nameof(CSharpBlocks))]
    public void CSharpBlock_InAProjectOfItsOwn_Compiles(string block)
    {
        var (_, errors) = BlockCompiler.Compile(Find(block));

        Assert.True(errors.Count == 0, $"{Find(block)} does not compile:\n{string.Join('\n', errors)}");
    }

    [Theory]
    [MemberData(nameof(CSharpBlocksWithOutput))]
    public async Task CSharpBlock_Run_PrintsTheOutputShownAfterIt(string block)
    {
        var code = Find(block);
        var shown = DocFiles.Blocks(code.File).First(b => b.Index > code.Index && b.IsOutput);
        var (compilation, errors) = BlockCompiler.Compile(code);
        Assert.True(errors.Count == 0, $"{code} does not compile:\n{string.Join('\n', errors)}");
        var directory = Directory.CreateTempSubdirectory("lyftserving-doc-").FullName;
        try
        {
            WriteFiles(code.File, directory);
            var (output, error) = await BlockCompiler.RunAsync(compilation, directory, TimeSpan.FromSeconds(60));

            Assert.True(
                Normalize(shown.Code) == Normalize(output),
                $"{code} prints what {shown} does not show.\n--- shown:\n{shown.Code}--- printed:\n{output}--- logs:\n{error}");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Docs_OutputBlocks_FollowABlockThatIsChecked()
    {
        // eng/quickstart.sh (run by .ci/run) checks the README's quickstart answer.
        var unverified = DocFiles.Files.SelectMany(DocFiles.Blocks)
            .Where(b => b.IsOutput && !(b.File == "README.md" && b.Attributes.ContainsKey("quickstart")))
            .Select(b => (Output: b, Before: Producer(b)))
            .Where(p => !p.Before.IsCSharp && !CurlBlockTests.IsSampleServerCall(p.Before) && !ToolBlockTests.IsToolCall(p.Before))
            .Select(p => $"{p.Output} follows {p.Before}, which is not C#, one curl call to the sample server or one lyftserving command")
            .ToList();

        Assert.True(unverified.Count == 0, string.Join("\n", unverified));
    }

    /// <summary>Writes the files a doc asks the reader to create (blocks with <c>file=</c>), later blocks replacing earlier ones.</summary>
    private static void WriteFiles(string file, string directory)
    {
        foreach (var block in DocFiles.Blocks(file).Where(b => b.FileName is not null))
        {
            var path = Path.Combine(directory, block.FileName!);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, block.Code);
        }
    }

    private static string Normalize(string text) =>
        string.Join('\n', text.Replace("\r", "", StringComparison.Ordinal).Split('\n').Select(l => l.TrimEnd())).Trim();

    private static string Key(DocBlock block) => $"{block.File}#{block.Index}";

    private static DocBlock Find(string key)
    {
        var (file, index) = (key[..key.LastIndexOf('#')], int.Parse(key[(key.LastIndexOf('#') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        return DocFiles.Blocks(file).Single(b => b.Index == index);
    }

    /// <summary>
    /// The block whose output an output block shows: the block before it, or, when that is a
    /// shell block that only says <c>dotnet run</c>, the block before that.
    /// </summary>
    private static DocBlock Producer(DocBlock output)
    {
        var blocks = DocFiles.Blocks(output.File);
        var before = blocks.Single(b => b.Index == output.Index - 1);
        return before.Language is "sh" && before.Code.Trim() == "dotnet run" ? blocks.Single(b => b.Index == before.Index - 1) : before;
    }
}
