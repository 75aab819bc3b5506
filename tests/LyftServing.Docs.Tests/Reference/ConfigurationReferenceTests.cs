using LyftServing.AspNetCore;
using LyftServing.Docs.Tests.Infrastructure;
using LyftServing.OnnxRuntime;
using LyftServing.TorchSharp;

namespace LyftServing.Docs.Tests.Reference;

/// <summary>The configuration tables of the docs name every option, and only options, with their real defaults.</summary>
public class ConfigurationReferenceTests
{
    private const string Reference = "docs/reference/configuration.md";
    private const string ModelPrefix = "Models:{name}:";

    [Fact]
    public void ConfigurationReference_ModelServingTable_MatchesModelServingOptions()
    {
        var problems = OptionKeys.Check(DocFiles.Table(Reference, "`ModelServing`", "key"), "key", OptionKeys.Of(new ModelServingOptions()), ignoredRows: "Models:{name}");

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void ConfigurationReference_ModelTable_MatchesModelOptions()
    {
        var problems = OptionKeys.Check(DocFiles.Table(Reference, "`ModelServing:Models:{name}`", "key"), "key", OptionKeys.Of(new ModelOptions()), ignoredRows: "{Settings section}");

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void CoreReadme_ConfigurationTable_NamesOptionsWithTheirDefaults()
    {
        var table = DocFiles.Table("src/LyftServing.Core/README.md", "Configuration (`ModelServing` section)", "key");

        var hostRows = table with { Rows = [.. table.Rows.Where(r => !table.Cell(r, "key").StartsWith(ModelPrefix, StringComparison.Ordinal))] };

        var problems = OptionKeys.Check(hostRows, "key", OptionKeys.Of(new ModelServingOptions()), complete: false);
        problems.AddRange(OptionKeys.Check(table, "key", OptionKeys.Of(new ModelOptions()), ModelPrefix, complete: false));

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void ConfigurationReference_S3Table_MatchesS3ModelStoreOptions()
    {
        var problems = OptionKeys.Check(DocFiles.Table(Reference, "`ModelServing:S3`", "key"), "key", OptionKeys.Of(new Stores.S3.S3ModelStoreOptions()));

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void ConfigurationReference_AzureBlobTable_MatchesAzureBlobModelStoreOptions()
    {
        var problems = OptionKeys.Check(DocFiles.Table(Reference, "`ModelServing:AzureBlob`", "key"), "key", OptionKeys.Of(new Stores.AzureBlob.AzureBlobModelStoreOptions()));

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void AspNetCoreReadme_OptionsTable_MatchesModelServingHttpOptions()
    {
        var problems = OptionKeys.Check(DocFiles.Table("src/LyftServing.AspNetCore/README.md", "Options", "option"), "option", OptionKeys.Of(new ModelServingHttpOptions()));

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Theory]
    [InlineData("src/LyftServing.OnnxRuntime/README.md", "Configuration")]
    [InlineData("docs/how-to/serve-onnx-models.md", "3. Declare the model")]
    public void OnnxSettingsTable_MatchesOnnxModelSettings(string file, string heading)
    {
        var problems = OptionKeys.Check(DocFiles.Table(file, heading, "key"), "key", OptionKeys.Of(new OnnxModelSettings()));

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void TorchSharpSettingsTable_MatchesTorchSharpSettings()
    {
        var problems = OptionKeys.Check(DocFiles.Table("src/LyftServing.TorchSharp/README.md", "Configuration", "key"), "key", OptionKeys.Of(new TorchSharpSettings()));

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }
}
