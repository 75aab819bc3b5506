using System.Globalization;

namespace LyftServing.LightGbm.Internal;

/// <summary>
/// Checks a LightGBM text model before lib_lightgbm parses it. LightGBM 4.x trusts its model files:
/// a truncated or garbled file makes its parser read past the end of the text, an error while it
/// parses trees in parallel ends the process (<c>std::terminate</c>), and a tree whose children do not
/// form a tree makes prediction loop or read out of bounds. So a version's file is checked here
/// for what the parser and the predictor rely on (complete tree blocks, counts that match, child,
/// feature and category indices in range, the end-of-trees mark) and handed to LightGBM without its
/// <c>tree_sizes</c> line, so LightGBM parses trees one by one and reports errors instead of ending the process.
/// </summary>
internal static class LightGbmModelText
{
    // LightGBM reads at most this many key=value lines per tree (Tree::Tree, tree.cpp).
    private const int MaxTreeLines = 22;

    /// <summary>Checks a model text and returns what to hand to LightGBM.</summary>
    /// <param name="text">The content of the model file.</param>
    /// <returns>The text without its <c>tree_sizes</c> line.</returns>
    /// <exception cref="InvalidDataException">The text is not a complete, consistent LightGBM text model; the message says where.</exception>
    public static string Check(string text)
    {
        if (text.Contains('\0', StringComparison.Ordinal))
        {
            throw Invalid(0, "it holds NUL characters (it is not a text model)");
        }

        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            lines[i] = lines[i].TrimEnd('\r');
        }

        if (lines[0] != "tree")
        {
            throw Invalid(1, "a LightGBM text model starts with the line 'tree'");
        }

        var line = 1;
        var header = new Dictionary<string, string>(StringComparer.Ordinal);
        var treeSizesLine = -1;
        for (; line < lines.Length && !lines[line].StartsWith("Tree=", StringComparison.Ordinal); line++)
        {
            var separator = lines[line].IndexOf('=', StringComparison.Ordinal);
            if (separator > 0)
            {
                header[lines[line][..separator]] = lines[line][(separator + 1)..];
                treeSizesLine = lines[line].StartsWith("tree_sizes=", StringComparison.Ordinal) ? line : treeSizesLine;
            }
        }

        var featureCount = HeaderInt(header, "max_feature_idx", 0) + 1;
        var classes = HeaderInt(header, "num_class", 1);
        var treesPerIteration = header.ContainsKey("num_tree_per_iteration") ? HeaderInt(header, "num_tree_per_iteration", 1) : classes;
        if (treesPerIteration != classes)
        {
            throw Invalid(0, $"num_tree_per_iteration ({treesPerIteration}) differs from num_class ({classes})");
        }

        var trees = 0;
        while (line < lines.Length && lines[line].StartsWith("Tree=", StringComparison.Ordinal))
        {
            if (lines[line] != $"Tree={trees}")
            {
                throw Invalid(line + 1, $"expected 'Tree={trees}'");
            }

            line = CheckTree(lines, line + 1, featureCount, $"line {line + 1} (Tree={trees})");
            trees++;
            while (line < lines.Length && lines[line].Length == 0)
            {
                line++;
            }
        }

        if (line >= lines.Length || lines[line] != "end of trees")
        {
            throw Invalid(Math.Min(line, lines.Length - 1) + 1, $"expected 'end of trees' after {trees} trees: the file is truncated or garbled");
        }

        if (trees == 0 || trees % treesPerIteration != 0)
        {
            throw Invalid(line + 1, $"{trees} trees do not make whole iterations of {treesPerIteration} trees");
        }

        if (treeSizesLine >= 0 && lines[treeSizesLine].Split(' ', StringSplitOptions.RemoveEmptyEntries).Length != trees)
        {
            throw Invalid(treeSizesLine + 1, $"tree_sizes lists another number of trees than the {trees} in the file");
        }

        return treeSizesLine < 0 ? text : string.Join('\n', lines.Where((_, i) => i != treeSizesLine));
    }

    /// <summary>Checks one tree block (its key=value lines and the blank line after them); returns the line after that.</summary>
    private static int CheckTree(string[] lines, int first, int featureCount, string at)
    {
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        var line = first;
        for (; line < lines.Length && lines[line].Length > 0; line++)
        {
            var separator = lines[line].IndexOf('=', StringComparison.Ordinal);
            if (separator <= 0 || line - first >= MaxTreeLines || !keys.TryAdd(lines[line][..separator], lines[line][(separator + 1)..]))
            {
                throw Invalid(line + 1, "a tree has at most 22 distinct key=value lines");
            }
        }

        if (line >= lines.Length)
        {
            throw Invalid(line, "the last tree does not end: the file is truncated");
        }

        var leaves = Int(keys, "num_leaves", at, 1, 1)[0];
        var categories = Int(keys, "num_cat", at, 1, 0)[0];
        Double(keys, "leaf_value", at, leaves);
        var isLinear = keys.ContainsKey("is_linear") && Int(keys, "is_linear", at, 1, 0, 1)[0] == 1;
        if (isLinear && keys.ContainsKey("num_features"))
        {
            var total = Int(keys, "num_features", at, leaves, 0, featureCount).Sum();
            Int(keys, "leaf_features", at, total, 0, featureCount - 1);
            Double(keys, "leaf_coeff", at, total);
        }

        if (leaves == 1)
        {
            return line + 1;
        }

        var internalNodes = leaves - 1;
        Int(keys, "split_feature", at, internalNodes, 0, featureCount - 1);
        var thresholds = Double(keys, "threshold", at, internalNodes);
        var decisions = keys.ContainsKey("decision_type") ? Int(keys, "decision_type", at, internalNodes, 0, 127) : new int[internalNodes];
        CheckChildren(Int(keys, "left_child", at, internalNodes, -leaves, internalNodes - 1), Int(keys, "right_child", at, internalNodes, -leaves, internalNodes - 1), leaves, at);

        var boundaries = categories > 0 ? Int(keys, "cat_boundaries", at, categories + 1, 0) : [0];
        for (var i = 1; i < boundaries.Length; i++)
        {
            if (boundaries[i] < boundaries[i - 1] || boundaries[0] != 0)
            {
                throw Invalid(at, "cat_boundaries must start at 0 and not decrease");
            }
        }

        if (categories > 0 && Values(keys, "cat_threshold", at, boundaries[^1]).FirstOrDefault(v => !uint.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out _)) is { } bad)
        {
            throw Invalid(at, $"cat_threshold holds '{bad}' where an unsigned integer belongs");
        }

        for (var node = 0; node < internalNodes; node++)
        {
            if ((decisions[node] & 1) != 0 && (thresholds[node] != Math.Floor(thresholds[node]) || thresholds[node] < 0 || thresholds[node] >= categories))
            {
                throw Invalid(at, $"the categorical split of node {node} names category set {thresholds[node]}, but the tree has {categories}");
            }
        }

        return line + 1;
    }

    /// <summary>Checks that the children of the internal nodes form one tree: node 0 is the root, every other node and every leaf has exactly one parent.</summary>
    private static void CheckChildren(int[] left, int[] right, int leaves, string line)
    {
        var parents = new int[(2 * leaves) - 1];
        foreach (var child in left.Concat(right))
        {
            // Internal nodes 1 … leaves-2 are children as themselves, leaf l as ~l (-l-1).
            var index = child >= 0 ? child : leaves - 1 + ~child;
            if (child == 0 || ++parents[index] > 1)
            {
                throw Invalid(line, "the children of the tree's nodes do not form a tree");
            }
        }
    }

    private static int HeaderInt(Dictionary<string, string> header, string key, int minimum) =>
        header.TryGetValue(key, out var value) && int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) && number >= minimum && number < 100_000_000
            ? number
            : throw Invalid(0, $"the header needs {key}, an integer of at least {minimum}");

    private static int[] Int(Dictionary<string, string> keys, string key, string line, int count, int minimum, int maximum = int.MaxValue)
    {
        var values = Values(keys, key, line, count);
        var numbers = new int[count];
        for (var i = 0; i < count; i++)
        {
            if (!int.TryParse(values[i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out numbers[i]) || numbers[i] < minimum || numbers[i] > maximum)
            {
                throw Invalid(line, $"{key} holds '{values[i]}' where an integer from {minimum} to {maximum} belongs");
            }
        }

        return numbers;
    }

    private static double[] Double(Dictionary<string, string> keys, string key, string line, int count)
    {
        var values = Values(keys, key, line, count);
        var numbers = new double[count];
        for (var i = 0; i < count; i++)
        {
            if (!double.TryParse(values[i], NumberStyles.Float, CultureInfo.InvariantCulture, out numbers[i]) && !IsNamedNumber(values[i], out numbers[i]))
            {
                throw Invalid(line, $"{key} holds '{values[i]}' where a number belongs");
            }
        }

        return numbers;
    }

    private static string[] Values(Dictionary<string, string> keys, string key, string line, int count)
    {
        if (!keys.TryGetValue(key, out var value))
        {
            throw Invalid(line, $"a tree needs {key}");
        }

        var values = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return values.Length == count ? values : throw Invalid(line, $"{key} has {values.Length} values where the tree needs {count}");
    }

    // LightGBM writes infinities and NaN as C's printf does.
    private static bool IsNamedNumber(string value, out double number)
    {
        number = value.ToUpperInvariant() switch
        {
            "INF" or "+INF" or "INFINITY" => double.PositiveInfinity,
            "-INF" or "-INFINITY" => double.NegativeInfinity,
            "NAN" or "-NAN" => double.NaN,
            _ => 0,
        };
        return number != 0;
    }

    private static InvalidDataException Invalid(int line, string problem) =>
        new(line > 0 ? $"line {line}: {problem}." : $"{problem}.");

    private static InvalidDataException Invalid(string where, string problem) => new($"{where}: {problem}.");
}
