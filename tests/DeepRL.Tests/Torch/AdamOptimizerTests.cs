using DeepRL.Agents.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace DeepRL.Tests.Torch;

[Category("Fast")]

public class AdamOptimizerTests
{
    private static (nn.Module<Tensor, Tensor> Net, Tensor X, Tensor Y) Problem()
    {
        manual_seed(5);
        var net = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 1));
        return (net, randn(16, 3), randn(16, 1));
    }

    private static void Train(nn.Module<Tensor, Tensor> net, Tensor x, Tensor y, Action zero, Action step, int steps)
    {
        for (int k = 0; k < steps; k++)
        {
            using var scope = NewDisposeScope();
            zero();
            (net.forward(x) - y).pow(2).mean().backward();
            step();
        }
    }

    [Test]
    public void Matches_torch_adam_update_for_update()
    {
        var (a, x, y) = Problem();
        var (b, _, _) = Problem();
        using var ours = new AdamOptimizer(a.parameters(), 0.01, eps: 1e-5);
        using var reference = optim.Adam(b.parameters(), 0.01, eps: 1e-5);
        Train(a, x, y, ours.ZeroGrad, ours.Step, 25);
        Train(b, x, y, () => reference.zero_grad(), () => reference.step(), 25);
        foreach (var (p, q) in a.parameters().Zip(b.parameters()))
            Assert.That(allclose(p, q, rtol: 1e-5, atol: 1e-6), Is.True);
    }

    [Test]
    public void State_round_trips_through_a_file()
    {
        var (a, x, y) = Problem();
        var (b, _, _) = Problem();
        using var first = new AdamOptimizer(a.parameters(), 0.01);
        Train(a, x, y, first.ZeroGrad, first.Step, 10);
        string path = Path.GetTempFileName();
        first.Save(path);
        using (no_grad())
            foreach (var (p, q) in a.parameters().Zip(b.parameters())) q.copy_(p);
        using var second = new AdamOptimizer(b.parameters(), 0.5);
        second.Load(path);
        Assert.That((second.Steps, second.LearningRate), Is.EqualTo((10L, 0.01)));
        Train(a, x, y, first.ZeroGrad, first.Step, 5);
        Train(b, x, y, second.ZeroGrad, second.Step, 5);
        foreach (var (p, q) in a.parameters().Zip(b.parameters()))
            Assert.That(p.data<float>().ToArray(), Is.EqualTo(q.data<float>().ToArray()));
        File.WriteAllText(path, "junk");
        Assert.Throws<EndOfStreamException>(() => second.Load(path));
        File.Delete(path);
    }
}
