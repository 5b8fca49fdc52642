using DeepRL.Agents.Torch;
using static TorchSharp.torch;

namespace DeepRL.Tests.Torch;

/// <summary>Both RMSProp variants against the formulas, computed by hand in doubles.</summary>
[Category("Fast")]
public class RmsPropOptimizerTests
{
    [TestCase(false)]
    [TestCase(true)]
    public void Two_steps_match_the_formula(bool tfStyle)
    {
        const double lr = 0.1, alpha = 0.9, eps = 1e-2;
        var p = new TorchSharp.Modules.Parameter(tensor(new[] { 1.0f, -2.0f }));
        using var optimizer = new RmsPropOptimizer([p], lr, alpha, eps, tfStyle);
        double[] theta = [1.0, -2.0], v = tfStyle ? [1.0, 1.0] : [0.0, 0.0];
        double[][] grads = [[0.5, -1.0], [0.25, 2.0]];
        foreach (var g in grads)
        {
            optimizer.Step([tensor(g.Select(x => (float)x).ToArray())]);
            for (int i = 0; i < 2; i++)
            {
                v[i] = alpha * v[i] + (1 - alpha) * g[i] * g[i];
                double denominator = tfStyle ? Math.Sqrt(v[i] + eps) : Math.Sqrt(v[i]) + eps;
                theta[i] -= lr * g[i] / denominator;
            }
        }
        var got = p.data<float>().ToArray();
        for (int i = 0; i < 2; i++) Assert.That(got[i], Is.EqualTo(theta[i]).Within(1e-5), $"θ[{i}]");
    }

    [Test]
    public void The_tf_variant_takes_smaller_first_steps()
    {
        // With v starting at zero PyTorch's first step is about lr / √(1−α) per coordinate; TF's starts from ones.
        var a = new TorchSharp.Modules.Parameter(zeros(1));
        var b = new TorchSharp.Modules.Parameter(zeros(1));
        using var torchStyle = new RmsPropOptimizer([a], 0.01, 0.99, 1e-5);
        using var tf = new RmsPropOptimizer([b], 0.01, 0.99, 1e-5, tfStyle: true);
        torchStyle.Step([ones(1)]);
        tf.Step([ones(1)]);
        Assert.That(Math.Abs(a.item<float>()), Is.EqualTo(0.1).Within(1e-3));
        Assert.That(Math.Abs(b.item<float>()), Is.EqualTo(0.01).Within(1e-4));
    }
}
