using DeepRL.Agents.Networks;
using DeepRL.Agents.Policies;
using static TorchSharp.torch;

namespace DeepRL.Tests.Agents;

/// <summary>
/// The recurrent policies' LSTM step: the standard equations whether or not gradients are recorded. TorchSharp's
/// nn.LSTM computed something else under no_grad on this platform, so rollouts (no_grad) and training (with
/// gradients) used two different functions of the same weights.
/// </summary>
[Category("Fast")]
public class LstmLayerTests
{
    [Test]
    public void An_actor_critic_lstm_step_is_the_same_with_and_without_gradients()
    {
        manual_seed(2);
        using var net = new ActorCritic(PolicyKind.Lstm, [4], 3, false, [16], shared: true, lstmHidden: 8, logStdInit: 0);
        var obs = randn(6, 4);
        var h = randn(1, 6, 8);
        var c = randn(1, 6, 8);
        var starts = tensor(new float[] { 0, 1, 0, 0, 1, 0 });
        var (actorGrad, valueGrad, hGrad, cGrad) = net.Step(obs, h, c, starts);
        using (no_grad())
        {
            var (actor, value, hn, cn) = net.Step(obs, h, c, starts);
            Assert.That(MaxDiff(actor, actorGrad.detach()), Is.LessThan(1e-6));
            Assert.That(MaxDiff(value, valueGrad.detach()), Is.LessThan(1e-6));
            Assert.That(MaxDiff(hn!, hGrad!.detach()), Is.LessThan(1e-6));
            Assert.That(MaxDiff(cn!, cGrad!.detach()), Is.LessThan(1e-6));
        }
    }

    [Test]
    public void The_lstm_step_matches_torchsharps_lstm_cell_with_the_same_weights()
    {
        manual_seed(3);
        using var layer = new LstmLayer(5, 4);
        using var cell = nn.LSTMCell(5, 4);
        using var _ = no_grad();
        var weights = cell.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        weights["weight_ih"].copy_(layer.WeightIh);
        weights["weight_hh"].copy_(layer.WeightHh);
        weights["bias_ih"].copy_(layer.BiasIh);
        weights["bias_hh"].copy_(layer.BiasHh);
        var x = randn(7, 5);
        var h = randn(7, 4);
        var c = randn(7, 4);
        var (hn, cn) = layer.Step(x, h, c);
        var (hRef, cRef) = cell.forward(x, (h, c));
        Assert.That(MaxDiff(hn, hRef), Is.LessThan(1e-6));
        Assert.That(MaxDiff(cn, cRef), Is.LessThan(1e-6));
    }

    /// <summary>Checkpoints of earlier versions (nn.LSTM) load: the same parameter names and shapes.</summary>
    [Test]
    public void The_lstm_layer_keeps_nn_lstms_parameter_names_and_shapes()
    {
        using var layer = new LstmLayer(5, 4);
        using var reference = nn.LSTM(5, 4);
        Assert.That(layer.named_parameters().Select(p => (p.name, string.Join("x", p.parameter.shape))),
            Is.EqualTo(reference.named_parameters().Select(p => (p.name, string.Join("x", p.parameter.shape)))));
    }

    private static double MaxDiff(Tensor a, Tensor b) => (a - b).abs().max().item<float>();
}
