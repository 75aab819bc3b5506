namespace LyftServing.Tests.ObjectStores;

/// <summary>A small model for store tests: it reads <c>words.txt</c> (and any other file it is given) at load and answers with its first line.</summary>
public sealed class WordsModel : IModel<string, string>
{
    private string _first = "";

    public async ValueTask LoadAsync(ModelArtifact artifact, CancellationToken cancellationToken)
    {
        var lines = await File.ReadAllLinesAsync(artifact.GetPath("words.txt"), cancellationToken);
        _first = lines[0];
    }

    public string Predict(string features) => _first + ":" + features;
}
