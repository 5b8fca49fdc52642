using System.CommandLine;
using DeepRL.Agents.Torch;

namespace DeepRL.Cli.Commands;

/// <summary><c>deeprl doctor</c>: checks that TorchSharp's native library loads and computes on this machine.</summary>
public static class DoctorCommand
{
    public static Command Create()
    {
        var cmd = new Command("doctor", "Check the platform: TorchSharp native library (forward + backward pass), CUDA availability");
        cmd.SetAction(parse =>
        {
            var ctx = DeepRlCli.Context(parse);
            var (output, gradNorm, version) = TorchCheck.Run();
            ctx.Output.WriteLine($"torch: libtorch {version}, forward pass output [{string.Join(", ", output.Select(v => v.ToString("F4")))}], grad norm {gradNorm:F4}");
            ctx.Output.WriteLine($"cuda: {(TorchSharp.torch.cuda.is_available() ? "available" : "not available (CPU only)")}");
            ctx.Output.WriteLine("ok");
            return 0;
        });
        return cmd;
    }
}
