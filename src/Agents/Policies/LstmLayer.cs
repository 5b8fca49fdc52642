using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DeepRL.Agents.Policies;

/// <summary>
/// A single-layer LSTM step written out from its equations (the gates i, f, g, o of PyTorch's LSTM, in that order):
/// <c>c' = σ(f)·c + σ(i)·tanh(g)</c>, <c>h' = σ(o)·tanh(c')</c>. Why not TorchSharp's <c>nn.LSTM</c>: on this
/// platform its forward pass under <c>no_grad</c> (libtorch's CPU inference path) does not compute these equations —
/// it differs from its own forward with gradients by ~0.1 on random inputs — so an agent acted with one function and
/// trained another (see docs/deployment.md). The parameters keep nn.LSTM's names (<c>weight_ih_l0</c>, …) and shapes,
/// so checkpoints of earlier versions load unchanged, and the same formula runs with and without gradients.
/// </summary>
public sealed class LstmLayer : nn.Module
{
#pragma warning disable IDE1006 // field names are the parameter names in checkpoints (nn.LSTM's)
    private readonly Parameter weight_ih_l0;
    private readonly Parameter weight_hh_l0;
    private readonly Parameter bias_ih_l0;
    private readonly Parameter bias_hh_l0;
#pragma warning restore IDE1006

    public LstmLayer(long inputSize, long hiddenSize) : base("LSTM")
    {
        Hidden = hiddenSize;
        // nn.LSTM's default initialisation, in its order: U(−1/√H, 1/√H) for every parameter.
        double bound = 1.0 / Math.Sqrt(hiddenSize);
        using (no_grad())
        {
            weight_ih_l0 = nn.Parameter(empty(4 * hiddenSize, inputSize).uniform_(-bound, bound));
            weight_hh_l0 = nn.Parameter(empty(4 * hiddenSize, hiddenSize).uniform_(-bound, bound));
            bias_ih_l0 = nn.Parameter(empty(4 * hiddenSize).uniform_(-bound, bound));
            bias_hh_l0 = nn.Parameter(empty(4 * hiddenSize).uniform_(-bound, bound));
        }
        RegisterComponents();
    }

    public long Hidden { get; }

    internal Tensor WeightIh => weight_ih_l0;

    internal Tensor WeightHh => weight_hh_l0;

    internal Tensor BiasIh => bias_ih_l0;

    internal Tensor BiasHh => bias_hh_l0;

    /// <summary>One step for a batch: input [B, F], state [B, H] each; returns the next (h, c).</summary>
    public (Tensor H, Tensor C) Step(Tensor input, Tensor h, Tensor c)
    {
        var gates = nn.functional.linear(input, weight_ih_l0, bias_ih_l0).add(nn.functional.linear(h, weight_hh_l0, bias_hh_l0));
        var k = gates.chunk(4, 1);
        var cNext = k[1].sigmoid().mul(c).add(k[0].sigmoid().mul(k[2].tanh()));
        var hNext = k[3].sigmoid().mul(cNext.tanh());
        return (hNext, cNext);
    }
}
