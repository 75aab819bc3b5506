using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace LyftServing.AspNetCore.Internal;

/// <summary>
/// Finds where a request body that failed to parse goes wrong, as a JSON path (<c>$.features.x[0][3]</c>):
/// the first syntax error or the first value nested past the depth limit. Only run after a parse failed.
/// </summary>
internal static class JsonErrorLocator
{
    public static (string Path, bool TooDeep, bool NamedNumber) Locate(ReadOnlySequence<byte> body, int maxDepth)
    {
        var frames = new List<Frame>();
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = int.MaxValue });
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        frames[^1] = frames[^1] with { Name = reader.GetString() };
                        break;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        Advance(frames);
                        if (frames.Count + 1 > maxDepth)
                        {
                            return (Format(frames, next: false), true, false);
                        }

                        frames.Add(new Frame(reader.TokenType == JsonTokenType.StartArray, -1, null));
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        frames.RemoveAt(frames.Count - 1);
                        break;
                    default:
                        Advance(frames);
                        break;
                }
            }
        }
        catch (JsonException)
        {
            return (Format(frames, next: true), false, StartsWithNamedNumber(body.Slice(reader.BytesConsumed)));
        }

        return ("$", false, false);
    }

    /// <summary>A value starts: in an array it is the next element.</summary>
    private static void Advance(List<Frame> frames)
    {
        if (frames.Count > 0 && frames[^1].IsArray)
        {
            frames[^1] = frames[^1] with { Index = frames[^1].Index + 1 };
        }
    }

    /// <summary>The path of the current value; with <paramref name="next"/>, of the value the reader was about to read.</summary>
    private static string Format(List<Frame> frames, bool next)
    {
        var path = new System.Text.StringBuilder("$");
        for (var i = 0; i < frames.Count; i++)
        {
            var frame = frames[i];
            if (frame.IsArray)
            {
                var index = frame.Index + (next && i == frames.Count - 1 ? 1 : 0);
                if (index >= 0)
                {
                    path.Append('[').Append(index.ToString(CultureInfo.InvariantCulture)).Append(']');
                }
            }
            else if (frame.Name is { } name)
            {
                path.Append(name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') ? "." + name : $"['{Shorten(name).Replace("'", "\\'", StringComparison.Ordinal)}']");
            }
        }

        return path.ToString();
    }

    private static bool StartsWithNamedNumber(ReadOnlySequence<byte> rest)
    {
        Span<byte> head = stackalloc byte[16];
        var length = (int)Math.Min(rest.Length, head.Length);
        rest.Slice(0, length).CopyTo(head);
        var text = head[..length].TrimStart(" \t\r\n,:[{"u8);
        return text.StartsWith("NaN"u8) || text.StartsWith("Infinity"u8) || text.StartsWith("-Infinity"u8);
    }

    private static string Shorten(string name) => name.Length <= 64 ? name : string.Concat(name.AsSpan(0, 64), "…");

    private readonly record struct Frame(bool IsArray, int Index, string? Name);
}
