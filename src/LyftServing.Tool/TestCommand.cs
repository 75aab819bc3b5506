namespace LyftServing.Tool;

/// <summary>The arguments of <c>lyftserving test</c>, with every path made absolute.</summary>
/// <param name="Setups">The setup assemblies.</param>
/// <param name="Runtimes">The runtime assemblies.</param>
/// <param name="JUnit">Where to write JUnit XML, or <see langword="null"/>.</param>
/// <param name="Trx">Where to write a TRX file, or <see langword="null"/>.</param>
/// <param name="AllowNoSelfTests">Whether versions without self-tests pass.</param>
/// <param name="Store">The store's absolute path.</param>
/// <param name="StoreAsGiven">The store as the command line names it, for the report.</param>
internal sealed record TestCommand(string Store, string StoreAsGiven, IReadOnlyList<string> Setups, IReadOnlyList<string> Runtimes, string? JUnit, string? Trx, bool AllowNoSelfTests)
{
    public static bool TryParse(string[] args, out TestCommand command, out string problem)
    {
        command = null!;
        if (args[0] != "test")
        {
            problem = $"unknown command '{args[0]}'.";
            return false;
        }

        string? store = null, storeAsGiven = null, junit = null, trx = null;
        var setups = new List<string>();
        var runtimePackages = new List<string>();
        var allowNoSelfTests = false;
        for (var i = 1; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg == "--allow-no-self-tests")
            {
                allowNoSelfTests = true;
                continue;
            }

            if (arg.StartsWith('-'))
            {
                if (arg is not ("--setup" or "--runtime" or "--junit" or "--trx"))
                {
                    problem = $"unknown option '{arg}'.";
                    return false;
                }

                if (i + 1 >= args.Length)
                {
                    problem = $"{arg} needs a value.";
                    return false;
                }

                var value = Path.GetFullPath(args[++i]);
                switch (arg)
                {
                    case "--setup": setups.Add(value); break;
                    case "--runtime": runtimePackages.Add(value); break;
                    case "--junit": junit = value; break;
                    default: trx = value; break;
                }

                continue;
            }

            if (store is not null)
            {
                problem = $"one store at a time: '{storeAsGiven}' and '{arg}'.";
                return false;
            }

            store = Path.GetFullPath(arg);
            storeAsGiven = arg;
        }

        if (store is null)
        {
            problem = "name the model store: lyftserving test <store>.";
            return false;
        }

        command = new TestCommand(store, storeAsGiven!, setups, runtimePackages, junit, trx, allowNoSelfTests);
        problem = "";
        return true;
    }
}
