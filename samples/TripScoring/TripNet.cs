using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TripScoring;

/// <summary>A network written in C# with TorchSharp: 3 trip features → 16 → ReLU → 1 → sigmoid, the probability that a trip arrives late.</summary>
public sealed class TripNet : nn.Module<Tensor, Tensor>
{
    private readonly Linear _hidden;
    private readonly Linear _output;

    public TripNet()
        : base(nameof(TripNet))
    {
        _hidden = nn.Linear(3, 16);
        _output = nn.Linear(16, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor trips) =>
        nn.functional.sigmoid(_output.call(nn.functional.relu(_hidden.call(trips))));
}
