using TorchSharp;

namespace DeepRL.Agents.Torch;

/// <summary>Turns a <c>--device</c> value into a TorchSharp device, refusing what this machine cannot do.</summary>
public static class DeviceResolver
{
    public static torch.Device Resolve(string name)
    {
        switch (name.Trim().ToLowerInvariant())
        {
            case "cpu":
                return torch.CPU;
            case "cuda":
            case var s when s.StartsWith("cuda:", StringComparison.Ordinal):
                if (!torch.cuda.is_available())
                    throw new ArgumentException(
                        $"--device {name}: CUDA is not available (this TorchSharp build or machine has no GPU support). " +
                        "Use --device cpu, or install the TorchSharp-cuda package on a machine with an NVIDIA GPU.");
                return new torch.Device(name);
            case "auto":
                return torch.cuda.is_available() ? torch.CUDA : torch.CPU;
            default:
                throw new ArgumentException($"--device {name} is not a device; use cpu, cuda, cuda:N or auto.");
        }
    }
}
