using LyftServing.TorchSharp.Internal;
using Microsoft.Extensions.Options;

namespace LyftServing.TorchSharp.Tests.Internal;

/// <summary>Versions whose file and model.json disagree, or whose file is not TorchScript, fail their load with an error that says what is wrong.</summary>
public sealed class TorchScriptModelLoadTests : IDisposable
{
    private readonly TempStore _store = new();

    public void Dispose() => _store.Dispose();

    public static TheoryData<string, string, string, string> Disagreements => new()
    {
        {
            "input count", "tabular_mlp", """{"inputs": [{"name": "features", "shape": [-1, 8]}, {"name": "extra", "shape": [-1, 1]}], "outputs": ["score"]}""",
            "Model 'm' version '1': model.json declares 2 inputs (features, extra), but forward in 'model.pt' takes 1 (features): declare one input per forward parameter, in order."
        },
        {
            "too few inputs", "multi_input", """{"inputs": [{"name": "x", "shape": [-1, 4]}], "outputs": ["y"]}""",
            "Model 'm' version '1': model.json declares 1 input (x), but forward in 'model.pt' takes 2 (x, category): declare one input per forward parameter, in order."
        },
        {
            "input dtype", "tabular_mlp", """{"inputs": [{"name": "features", "dtype": "int64", "shape": [-1, 8]}], "outputs": ["score"]}""",
            "Model 'm' version '1': running 'model.pt' on zeros of the declared inputs (features int64[N,8]) failed, so model.json's declaration does not fit the model (check the inputs' order, dtypes and shapes, and the outputs): "
        },
        {
            "input shape", "tabular_mlp", """{"inputs": [{"name": "features", "shape": [-1, 7]}], "outputs": ["score"]}""",
            "Model 'm' version '1': running 'model.pt' on zeros of the declared inputs (features float32[N,7]) failed"
        },
        {
            "output count", "tabular_mlp", """{"inputs": [{"name": "features", "shape": [-1, 8]}], "outputs": ["score", "label"]}""",
            "Model 'm' returned 1 tensors, but model.json declares 2 outputs (score, label)."
        },
        {
            "output dtype", "tuple_output", """{"inputs": [{"name": "x", "shape": [-1, 4]}], "outputs": ["score", {"name": "label", "dtype": "float32"}]}""",
            "Model 'm' version '1': model.json declares output 'label' as float32, but 'model.pt' returns int64."
        },
        {
            "output shape", "tuple_output", """{"inputs": [{"name": "x", "shape": [-1, 4]}], "outputs": [{"name": "score", "shape": [-1, 2]}, "label"]}""",
            "Model 'm' version '1': model.json declares output 'score' with shape [-1,2], but 'model.pt' returns shape [2,1] for 2 rows."
        },
        {
            "dictionary key", "dict_output", """{"inputs": [{"name": "x", "shape": [-1, 4]}], "outputs": ["label", "scores"]}""",
            "Model 'm' version '1': running 'model.pt' on zeros of the declared inputs (x float32[N,4]) failed"
        },
        {
            "no inputs", "tabular_mlp", """{"outputs": ["score"]}""",
            "Model 'm' version '1' declares no inputs: a TorchScript file does not name its inputs and outputs, so model.json's properties must"
        },
        {
            "no outputs", "tabular_mlp", """{"inputs": ["features"]}""",
            "Model 'm' version '1' declares no outputs"
        },
    };

    [Theory]
    [MemberData(nameof(Disagreements))]
    public async Task LoadAsync_ModelJsonDisagreesWithTheFile_FailsSayingHow(string disagreement, string fixture, string properties, string message)
    {
        Assert.NotEmpty(disagreement);
        var version = _store.AddVersion("m", "1", Assets.TorchScript(fixture), dir => WriteProperties(dir, properties));

        var error = await Assert.ThrowsAnyAsync<Exception>(() => LoadAsync(version));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task LoadAsync_InputDtypeDisagrees_IncludesLibtorchsReasonWithoutItsTraceback()
    {
        var version = _store.AddVersion("m", "1", Assets.TorchScript("tabular_mlp"), dir => WriteProperties(dir, """{"inputs": [{"name": "features", "dtype": "float64", "shape": [-1, 8]}], "outputs": ["score"]}"""));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => LoadAsync(version));

        Assert.Contains("failed, so model.json's declaration does not fit the model", error.Message, StringComparison.Ordinal);
        Assert.Matches("(dtype|Double|Float)", error.Message[error.Message.LastIndexOf("): ", StringComparison.Ordinal)..]);
        Assert.DoesNotContain('\n', error.Message);
        Assert.DoesNotContain("Traceback", error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, Action<string>, string> CorruptFiles => new()
    {
        { "truncated", path => File.WriteAllBytes(path, File.ReadAllBytes(path)[..4000]), "'model.pt' is not a TorchScript file (it is not a readable zip archive: truncated, corrupt or another format); save the model with torch.jit.save (a traced or scripted module), not torch.save." },
        { "empty", path => File.WriteAllBytes(path, []), "'model.pt' is not a TorchScript file (it is not a readable zip archive" },
        { "random bytes", path => File.WriteAllBytes(path, [.. Enumerable.Range(0, 5000).Select(i => (byte)(i * 7919))]), "'model.pt' is not a TorchScript file (it is not a readable zip archive" },
        { "torch.save weights", path => File.Copy(Path.Combine(Assets.Root, "not-torchscript", "state_dict.pt"), path, overwrite: true), "'model.pt' is not a TorchScript file (it has no TorchScript code: torch.save writes weights or a pickled Python module, which only Python can load)" },
        { "ONNX file", path => File.Copy(Path.Combine(Assets.Onnx("tabular_mlp"), "model.onnx"), path, overwrite: true), "'model.pt' is not a TorchScript file (it is not a readable zip archive" },
        { "code damaged", path => Damage(path, "code/__torch__.py"), "'model.pt' is damaged: its entry 'tabular_mlp/code/__torch__.py' does not read back as it was written (" },
        { "weights damaged", path => Damage(path, "data/0"), "'model.pt' is damaged: its entry 'tabular_mlp/data/0' does not read back as it was written (its CRC-32 is " },
    };

    [Theory]
    [MemberData(nameof(CorruptFiles))]
    public async Task LoadAsync_CorruptFile_FailsWithAClearError(string corruption, Action<string> corrupt, string message)
    {
        Assert.NotEmpty(corruption);
        var version = _store.AddVersion("m", "1", Assets.TorchScript("tabular_mlp"), dir => corrupt(Path.Combine(dir, "model.pt")));

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => LoadAsync(version));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task LoadAsync_TwoTorchScriptFiles_FailsNamingBoth()
    {
        var version = _store.AddVersion("m", "1", Assets.TorchScript("tabular_mlp"), dir => File.Copy(Path.Combine(dir, "model.pt"), Path.Combine(dir, "other.pt")));

        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => LoadAsync(version));

        Assert.Equal("Model 'm' version '1' has more than one '.pt' file ('model.pt', 'other.pt'); keep exactly one.", error.Message);
    }

    public static TheoryData<string, string> InvalidSettings => new()
    {
        { """{"inputs": [{"name": "x", "dtype": "float"}], "outputs": ["y"]}""", "Requested value 'float' was not found." },
        { """{"inputs": [{"name": "x", "dtype": "string"}], "outputs": ["y"]}""", "inputs[0] ('x'): dtype string is not a TorchScript tensor type; use float32, float64, int32, int64 or bool." },
        { """{"inputs": [{"name": "x"}, {"name": "x"}], "outputs": ["y"]}""", "inputs[1]: the name 'x' appears twice" },
        { """{"inputs": [{"dtype": "float32"}], "outputs": ["y"]}""", "inputs[0] has no name." },
        { """{"inputs": [{"name": "x", "shape": [-1, -2]}], "outputs": ["y"]}""", "inputs[0] ('x'): shape [-1,-2] has a dimension below -1" },
        { """{"inputs": [{"name": "x", "dtyp": "float32"}], "outputs": ["y"]}""", "'model.json properties' is invalid" },
        { """{"intraOpThreads": -1, "inputs": ["x"], "outputs": ["y"]}""", "model.json properties.IntraOpThreads must be from 0 (libtorch's default) to 1024; it is -1." },
        { """{"device": "gpu", "inputs": ["x"], "outputs": ["y"]}""", "Device must be cpu, cuda or cuda:N; it is 'gpu'." },
    };

    [Theory]
    [MemberData(nameof(InvalidSettings))]
    public async Task LoadAsync_InvalidProperties_FailNamingTheKey(string properties, string message)
    {
        var version = _store.AddVersion("m", "1", Assets.TorchScript("tabular_mlp"), dir => WriteProperties(dir, properties));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => LoadAsync(version));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    private static Task<(TorchScriptModel, ServiceProvider)> LoadAsync(string version) =>
        TestHost.LoadModelAsync<TorchScriptModel, Tensors, Tensors>("m", version, b => b.AddTorchScriptRuntime());

    private static void WriteProperties(string directory, string properties) =>
        File.WriteAllText(Path.Combine(directory, "model.json"), $$"""{"runtime": "torchscript", "properties": {{properties}}}""");

    /// <summary>Overwrites the middle of an archive entry's data in place: the archive stays readable, the entry's content (and its checksum) does not.</summary>
    private static void Damage(string path, string entry)
    {
        var bytes = File.ReadAllBytes(path);
        var zip = bytes.AsSpan();

        // The central directory (from the end-of-central-directory record) has each entry's size
        // and where its local header is; the data follows the local header, its name and extra field.
        var end = zip.LastIndexOf("PK\u0005\u0006"u8);
        var position = BitConverter.ToInt32(bytes, end + 16);
        for (int i = 0, count = BitConverter.ToUInt16(bytes, end + 10); i < count; i++)
        {
            var nameLength = BitConverter.ToUInt16(bytes, position + 28);
            var name = System.Text.Encoding.UTF8.GetString(bytes, position + 46, nameLength);
            if (name.EndsWith("/" + entry, StringComparison.Ordinal))
            {
                var size = BitConverter.ToInt32(bytes, position + 20);
                var header = BitConverter.ToInt32(bytes, position + 42);
                var data = header + 30 + BitConverter.ToUInt16(bytes, header + 26) + BitConverter.ToUInt16(bytes, header + 28);
                for (var b = data + (size / 4); b < data + (size / 2); b++)
                {
                    bytes[b] ^= 0x5A;
                }

                File.WriteAllBytes(path, bytes);
                return;
            }

            position += 46 + nameLength + BitConverter.ToUInt16(bytes, position + 30) + BitConverter.ToUInt16(bytes, position + 32);
        }

        Assert.Fail($"{entry} not found in {path}");
    }
}
