namespace LyftServing;

/// <summary>
/// Orders version names the way people read them: runs of digits compare as numbers
/// (<c>"9" &lt; "10"</c>, <c>"2026-11-20" &lt; "2026-11-21"</c>), everything else ordinally.
/// The newest version is the greatest.
/// </summary>
public sealed class VersionComparer : IComparer<string>
{
    private VersionComparer()
    {
    }

    /// <summary>Gets the comparer.</summary>
    public static VersionComparer Instance { get; } = new();

    /// <inheritdoc />
    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null)
        {
            return -1;
        }

        if (y is null)
        {
            return 1;
        }

        int i = 0, j = 0;
        while (i < x.Length && j < y.Length)
        {
            if (char.IsAsciiDigit(x[i]) && char.IsAsciiDigit(y[j]))
            {
                var xs = i;
                var ys = j;
                while (i < x.Length && char.IsAsciiDigit(x[i]))
                {
                    i++;
                }

                while (j < y.Length && char.IsAsciiDigit(y[j]))
                {
                    j++;
                }

                var xDigits = x.AsSpan(xs, i - xs).TrimStart('0');
                var yDigits = y.AsSpan(ys, j - ys).TrimStart('0');
                var byValue = xDigits.Length != yDigits.Length
                    ? xDigits.Length.CompareTo(yDigits.Length)
                    : xDigits.SequenceCompareTo(yDigits);
                if (byValue != 0)
                {
                    return byValue;
                }

                // Equal values: "007" and "7" still differ; the shorter spelling sorts first.
                var bySpelling = (i - xs).CompareTo(j - ys);
                if (bySpelling != 0)
                {
                    return bySpelling;
                }
            }
            else
            {
                var byChar = x[i].CompareTo(y[j]);
                if (byChar != 0)
                {
                    return byChar;
                }

                i++;
                j++;
            }
        }

        return (x.Length - i).CompareTo(y.Length - j);
    }
}
