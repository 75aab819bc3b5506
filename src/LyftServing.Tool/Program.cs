namespace LyftServing.Tool;

/// <summary>lyftserving test &lt;store&gt; [--setup &lt;assembly&gt;]... [--runtime &lt;assembly&gt;]... [--junit &lt;file&gt;] [--trx &lt;file&gt;] [--allow-no-self-tests].</summary>
internal static class Program
{
    private static Task<int> Main(string[] args) => Cli.RunAsync(args, Console.Out, Console.Error);
}
