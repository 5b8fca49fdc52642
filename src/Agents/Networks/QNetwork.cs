using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace DeepRL.Agents.Networks;

/// <summary>
/// Q(s, ·) for every discrete action: a torso (MLP or CNN) and either a linear head or a dueling head
/// (Wang et al. 2016): Q = V(s) + A(s, a) − mean_a A(s, a).
/// </summary>
public sealed class QNetwork : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> torso;
    private readonly Linear head;
    private readonly Linear? value;

    public QNetwork(PolicyKind kind, int[] observationShape, int actions, int[] hidden, bool dueling) : base("QNetwork")
    {
        (torso, int features) = NetworkFactory.Torso(kind, observationShape, hidden);
        head = Linear(features, actions);
        value = dueling ? Linear(features, 1) : null;
        RegisterComponents();
    }

    // The parts, for exporters that rebuild the network in another format (see Export/PolicyExport).
    internal Module<Tensor, Tensor> Torso => torso;

    internal Linear Head => head;

    internal Linear? ValueHead => value;

    public override Tensor forward(Tensor observations)
    {
        using var scope = NewDisposeScope();
        var features = torso.forward(observations);
        var advantages = head.forward(features);
        var q = value is null ? advantages : value.forward(features) + advantages - advantages.mean([1], keepdim: true);
        return q.MoveToOuterDisposeScope();
    }
}
