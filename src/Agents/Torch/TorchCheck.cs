using TorchSharp;
using static TorchSharp.torch;

namespace DeepRL.Agents.Torch;

/// <summary>
/// Proves the native TorchSharp library loads and computes: a small Linear→ReLU→Linear forward and
/// backward pass with fixed weights. Used by <c>deeprl doctor</c> and by the tests.
/// </summary>
public static class TorchCheck
{
    /// <summary>Returns the network output for a fixed input and the gradient norm, both deterministic.</summary>
    public static (float[] Output, float GradNorm, string Version) Run()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(0);
        var net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2));
        var x = tensor(new float[] { 0.1f, -0.2f, 0.3f, -0.4f, 1f, 2f, 3f, 4f }, 2, 4);
        var y = net.forward(x);
        y.sum().backward();
        float gradNorm = 0;
        foreach (var p in net.parameters()) gradNorm += p.grad!.pow(2).sum().item<float>();
        var output = y.data<float>().ToArray();
        net.Dispose();
        return (output, MathF.Sqrt(gradNorm), torch.__version__);
    }
}
