using LyftServing.LightGbm.Internal;
using LyftServing.LightGbm.Tests.TestSupport;

namespace LyftServing.LightGbm.Tests.Internal;

/// <summary>The check of model files before LightGBM parses them: what LightGBM would crash, loop or read out of bounds on is refused with the line.</summary>
public sealed class LightGbmModelTextTests
{
    private static readonly string Model = File.ReadAllText(Fixtures.ModelFile("trip_risk"));

    public static TheoryData<string> NativeModels => [.. Fixtures.NativeModels];

    [Theory]
    [MemberData(nameof(NativeModels))]
    public void Check_FixtureModels_PassWithoutTheirTreeSizes(string model)
    {
        var text = File.ReadAllText(Fixtures.ModelFile(model));

        var checkedText = LightGbmModelText.Check(text);

        Assert.DoesNotContain("tree_sizes=", checkedText, StringComparison.Ordinal);
        Assert.Equal(text.Split('\n').Where(l => !l.StartsWith("tree_sizes=", StringComparison.Ordinal)), checkedText.Split('\n'));
    }

    public static TheoryData<string, string, string> Damaged => new()
    {
        // what to replace in the first tree, with what, the error
        { "left_child=1 2 12 4", "left_child=0 2 12 4", "line 12 (Tree=0): the children of the tree's nodes do not form a tree." },
        { "left_child=1 2 12 4", "left_child=2 2 12 4", "line 12 (Tree=0): the children of the tree's nodes do not form a tree." },
        { "right_child=3 6 11 5", "right_child=3 6 11 99", "line 12 (Tree=0): right_child holds '99' where an integer from -15 to 13 belongs." },
        { "split_feature=3 0 5 5", "split_feature=3 0 5 6", "line 12 (Tree=0): split_feature holds '6' where an integer from 0 to 5 belongs." },
        { "split_feature=3 0 5 5", "split_feature=3 0 5", "line 12 (Tree=0): split_feature has 13 values where the tree needs 14." },
        { "num_leaves=15\n", "num_leaves=16\n", "line 12 (Tree=0): leaf_value has 15 values where the tree needs 16." },
        { "decision_type=2 2 2", "decision_type=3 2 2", "line 12 (Tree=0): the categorical split of node 0 names category set 4.545000000000001, but the tree has 0." },
        { "leaf_value=0.20326415893622382", "leaf_value=zero", "line 12 (Tree=0): leaf_value holds 'zero' where a number belongs." },
        { "num_cat=0\n", "num_cat=0\nnum_cat=1\n", "line 15: a tree has at most 22 distinct key=value lines." },
        { "is_linear=0\n", "is_linear=0\nthis line has no equals sign\n", "line 28: a tree has at most 22 distinct key=value lines." },
        { "Tree=1\n", "Tree=2\n", "line 31: expected 'Tree=1'." },
        { "num_tree_per_iteration=1\n", "num_tree_per_iteration=2\n", "num_tree_per_iteration (2) differs from num_class (1)." },
        { "tree_sizes=1650 ", "tree_sizes=", "line 10: tree_sizes lists another number of trees than the 30 in the file." },
        { "max_feature_idx=5\n", "", "the header needs max_feature_idx, an integer of at least 0." },
        { "tree\n", "tree\0\n", "it holds NUL characters (it is not a text model)." },
        { "tree\n", "booster\n", "line 1: a LightGBM text model starts with the line 'tree'." },
    };

    [Theory]
    [MemberData(nameof(Damaged))]
    public void Check_DamagedModel_RefusedNamingTheLineAndTheProblem(string find, string replace, string message)
    {
        var index = Model.IndexOf(find, StringComparison.Ordinal);
        var damaged = Model[..index] + replace + Model[(index + find.Length)..];

        var error = Assert.Throws<InvalidDataException>(() => LightGbmModelText.Check(damaged));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Check_TruncatedAnywhere_RefusedEveryTime()
    {
        // Every cut that is not at the very end of a line of the trailing parameters section.
        var end = Model.IndexOf("end of trees", StringComparison.Ordinal);
        for (var length = 0; length < end + 12; length += 97)
        {
            var cut = Model[..length];
            Assert.True(Record.Exception(() => LightGbmModelText.Check(cut)) is InvalidDataException, $"cut at {length} of {Model.Length}: ...{cut[Math.Max(0, cut.Length - 60)..]}");
        }
    }
}
