using LyftServing;
using LyftServing.TorchSharp;
using TorchSharp;

namespace TripScoring;

/// <summary>A trip's features: what the model takes.</summary>
public sealed record TripFeatures(float DistanceKm, float Minutes, float Surge);

/// <summary>
/// The model code: a version's folder holds the weights of a <see cref="TripNet"/> saved by
/// TorchSharp (<c>net.save("weights.dat")</c>); each call turns trips into rows of a tensor and
/// reads one probability per row.
/// </summary>
public sealed class TripModel(IModelSettings<TorchSharpSettings> settings) : TorchSharpModel<TripFeatures, float>(settings)
{
    protected override torch.nn.IModule<torch.Tensor, torch.Tensor> LoadModule(ModelArtifact artifact, torch.Device device)
    {
        var net = new TripNet();
        net.load(artifact.GetPath("weights.dat"));
        return net;
    }

    protected override torch.Tensor CreateInput(ReadOnlySpan<TripFeatures> features)
    {
        var rows = new float[features.Length * 3];
        for (var i = 0; i < features.Length; i++)
        {
            (rows[3 * i], rows[(3 * i) + 1], rows[(3 * i) + 2]) = (features[i].DistanceKm, features[i].Minutes, features[i].Surge);
        }

        return torch.tensor(rows, [features.Length, 3]);
    }

    protected override void ReadOutput(torch.Tensor output, Span<float> outputs) => output.data<float>().CopyTo(outputs);
}
