using System.Buffers;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;

namespace LyftServing.TorchSharp.Internal;

/// <summary>
/// What a TorchScript file (the zip archive <c>torch.jit.save</c> writes) says about its module's
/// <c>forward</c>: its parameter names and return type, read from the module's TorchScript source
/// in the archive. TorchSharp 0.107 cannot return dictionaries from <c>forward</c>, so for a module
/// whose <c>forward</c> returns <c>Dict[str, Tensor]</c> this adds a method that returns the
/// declared outputs as a tuple, in a copy of the archive in memory, which the model loads instead of the file.
/// </summary>
internal sealed class TorchScriptArchive
{
    /// <summary>The name of the method added to modules whose <c>forward</c> returns a dictionary.</summary>
    public const string TupleForward = "lyftserving_forward";

    private readonly string _path;
    private readonly string? _sourceEntry;
    private readonly string? _source;
    private readonly string? _className;
    private readonly int _classEnd;

    private TorchScriptArchive(string path, string? sourceEntry, string? source, string? className, int classEnd, Forward? forward)
    {
        _path = path;
        _sourceEntry = sourceEntry;
        _source = source;
        _className = className;
        _classEnd = classEnd;
        ForwardSignature = forward;
    }

    /// <summary>Gets the module's <c>forward</c> as its source declares it, or <see langword="null"/> when the archive's source could not be read.</summary>
    public Forward? ForwardSignature { get; }

    /// <summary>Gets whether <c>forward</c> returns a dictionary (which TorchSharp cannot return).</summary>
    public bool ReturnsDictionary => ForwardSignature?.ReturnType.StartsWith("Dict[", StringComparison.Ordinal) == true;

    /// <summary>Reads a TorchScript file and checks every entry against its CRC-32 (libtorch checks none, so a damaged file would load with damaged weights).</summary>
    /// <exception cref="InvalidDataException">The file is not a zip archive with a TorchScript module, or it is damaged.</exception>
    public static TorchScriptArchive Read(string path)
    {
        ZipArchive zip;
        try
        {
            zip = ZipFile.OpenRead(path);
        }
        catch (InvalidDataException ex)
        {
            throw NotTorchScript(path, "it is not a readable zip archive: truncated, corrupt or another format", ex);
        }

        using (zip)
        {
            var data = zip.Entries.FirstOrDefault(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal) && e.FullName.Count(c => c == '/') == 1)
                ?? throw NotTorchScript(path, "it has no data.pkl");
            var prefix = data.FullName[..^"data.pkl".Length];
            if (zip.GetEntry(prefix + "constants.pkl") is null || !zip.Entries.Any(e => e.FullName.StartsWith(prefix + "code/", StringComparison.Ordinal)))
            {
                throw NotTorchScript(path, "it has no TorchScript code: torch.save writes weights or a pickled Python module, which only Python can load");
            }

            Verify(zip, path);
            if (ReadRootClass(data) is not var (module, className) || zip.GetEntry(prefix + "code/" + module.Replace('.', '/') + ".py") is not { } entry)
            {
                return new TorchScriptArchive(path, null, null, null, 0, null);
            }

            string source;
            using (var reader = new StreamReader(entry.Open(), Encoding.UTF8))
            {
                source = reader.ReadToEnd();
            }

            var (forward, classEnd) = FindForward(source, className);
            return new TorchScriptArchive(path, entry.FullName, source, $"{module}.{className}", classEnd, forward);
        }
    }

    /// <summary>Returns a copy of the archive whose module has <see cref="TupleForward"/>: <c>forward</c>'s dictionary result as a tuple of the values of <paramref name="keys"/>.</summary>
    public byte[] WithTupleForward(IReadOnlyList<string> keys)
    {
        if (ForwardSignature is not { } forward || _source is null || _sourceEntry is null)
        {
            throw new InvalidOperationException("The module's forward could not be read from the archive.");
        }

        var method = new StringBuilder()
            .Append("  def ").Append(TupleForward).Append("(self: ").Append(_className).Append(forward.Parameters.Count == 0 ? string.Empty : ",\n    ")
            .AppendJoin(",\n    ", forward.ParameterDeclarations)
            .Append(") -> Tuple[").AppendJoin(", ", keys.Select(_ => "Tensor")).Append("]:\n")
            .Append("    _lyftserving_result = (self).forward(").AppendJoin(", ", forward.Parameters).Append(")\n")
            .Append("    return (").AppendJoin(", ", keys.Select(k => $"_lyftserving_result[\"{k.Replace("\\", "\\\\").Replace("\"", "\\\"")}\"]")).Append(", )\n")
            .ToString();
        var source = _source[.._classEnd].TrimEnd('\n') + "\n" + method + _source[_classEnd..];

        using var copy = new MemoryStream();
        using (var zip = ZipFile.OpenRead(_path))
        using (var output = new ZipArchive(copy, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in zip.Entries)
            {
                // Stored, not deflated, as torch.jit.save writes them (libtorch reads tensor data in place).
                var target = output.CreateEntry(entry.FullName, CompressionLevel.NoCompression);
                using var to = target.Open();
                if (entry.FullName == _sourceEntry)
                {
                    to.Write(Encoding.UTF8.GetBytes(source));
                }
                else
                {
                    using var from = entry.Open();
                    from.CopyTo(to);
                }
            }
        }

        return copy.ToArray();
    }

    private static void Verify(ZipArchive zip, string path)
    {
        var crc = new Crc32();
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            foreach (var entry in zip.Entries)
            {
                try
                {
                    using var stream = entry.Open();
                    int read;
                    while ((read = stream.Read(buffer)) > 0)
                    {
                        crc.Append(buffer.AsSpan(0, read));
                    }
                }
                catch (Exception ex) when (ex is InvalidDataException or IOException)
                {
                    throw Corrupt(path, entry.FullName, ex.Message.TrimEnd('.'), ex);
                }

                var actual = crc.GetCurrentHashAsUInt32();
                crc.Reset();
                if (actual != entry.Crc32)
                {
                    throw Corrupt(path, entry.FullName, $"its CRC-32 is {actual:x8}, but the archive says {entry.Crc32:x8}");
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The root module's class from the first GLOBAL opcode of data.pkl: <c>c__torch__\nTabularMLP\n</c>.</summary>
    private static (string Module, string ClassName)? ReadRootClass(ZipArchiveEntry data)
    {
        using var stream = data.Open();
        var head = new byte[512];
        var length = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        var start = length > 2 && head[0] == 0x80 ? 2 : 0;
        if (start >= length || head[start] != (byte)'c')
        {
            return null;
        }

        var text = Encoding.ASCII.GetString(head, start + 1, length - start - 1).Split('\n');
        return text.Length >= 3 && text[0].StartsWith("__torch__", StringComparison.Ordinal) && text[1].Length > 0 ? (text[0], text[1]) : null;
    }

    /// <summary>Finds <c>def forward(self: …, x: Tensor, …) -> T:</c> inside <c>class Name(Module):</c>, and where the class ends.</summary>
    private static (Forward? Forward, int ClassEnd) FindForward(string source, string className)
    {
        var classStart = source.IndexOf($"class {className}(", StringComparison.Ordinal);
        if (classStart < 0)
        {
            return (null, 0);
        }

        // The class ends at the next line that is not indented (or the end of the file).
        var classEnd = source.Length;
        for (var line = source.IndexOf('\n', classStart); line >= 0 && line + 1 < source.Length; line = source.IndexOf('\n', line + 1))
        {
            if (source[line + 1] is not (' ' or '\n'))
            {
                classEnd = line + 1;
                break;
            }
        }

        var def = source.IndexOf("\n  def forward(", classStart, classEnd - classStart, StringComparison.Ordinal);
        if (def < 0)
        {
            return (null, classEnd);
        }

        var open = source.IndexOf('(', def);
        var close = MatchingParenthesis(source, open);
        var colon = close < 0 ? -1 : source.IndexOf(":\n", close, StringComparison.Ordinal);
        if (colon < 0)
        {
            return (null, classEnd);
        }

        var declarations = SplitTopLevel(source[(open + 1)..close]).Select(p => p.Trim()).Where(p => p.Length > 0).Skip(1).ToList();
        var arrow = source.IndexOf("->", close, colon - close, StringComparison.Ordinal);
        var returnType = arrow < 0 ? "Tensor" : source[(arrow + 2)..colon].Trim();
        var names = declarations.Select(d => d.Split(':', '=')[0].Trim()).ToList();
        return (new Forward(names, declarations, returnType), classEnd);
    }

    private static int MatchingParenthesis(string text, int open)
    {
        var depth = 0;
        for (var i = open; i < text.Length; i++)
        {
            depth += text[i] switch { '(' or '[' => 1, ')' or ']' => -1, _ => 0 };
            if (depth == 0)
            {
                return i;
            }
        }

        return -1;
    }

    private static List<string> SplitTopLevel(string text)
    {
        var parts = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            depth += text[i] switch { '(' or '[' => 1, ')' or ']' => -1, _ => 0 };
            if (text[i] == ',' && depth == 0)
            {
                parts.Add(text[start..i]);
                start = i + 1;
            }
        }

        parts.Add(text[start..]);
        return parts;
    }

    private static InvalidDataException Corrupt(string path, string entry, string reason, Exception? inner = null) =>
        new($"'{Path.GetFileName(path)}' is damaged: its entry '{entry}' does not read back as it was written ({reason}); copy the file again from where it was saved.", inner);

    private static InvalidDataException NotTorchScript(string path, string reason, Exception? inner = null) =>
        new($"'{Path.GetFileName(path)}' is not a TorchScript file ({reason}); save the model with torch.jit.save (a traced or scripted module), not torch.save.", inner);

    /// <summary>The module's <c>forward</c>: its parameters after <c>self</c> (names, and declarations with their types) and its return type.</summary>
    internal sealed record Forward(IReadOnlyList<string> Parameters, IReadOnlyList<string> ParameterDeclarations, string ReturnType);
}
