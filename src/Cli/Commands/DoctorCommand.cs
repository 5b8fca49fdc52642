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
            ctx.Output.WriteLine($"backend: {Backend()}");
            bool cuda = TorchSharp.torch.cuda.is_available();
            int gpus = cuda ? TorchSharp.torch.cuda.device_count() : 0;
            ctx.Output.WriteLine($"cuda: {(cuda ? $"available, {gpus} device(s)" : "not available (CPU only)")}");
            ctx.Output.WriteLine($"devices: {string.Join(", ", new[] { "cpu" }.Concat(Enumerable.Range(0, gpus).Select(i => $"cuda:{i}")))}");
            ctx.Output.WriteLine("ok");
            return 0;
        });
        return cmd;
    }

    /// <summary>Which libtorch build the program loaded: the CUDA one ships libtorch_cuda.so (torch_cuda.dll), the CPU one does not.</summary>
    private static string Backend()
    {
        string[] cudaLibraries = ["libtorch_cuda.so", "torch_cuda.dll"];
        bool cudaBuild = Directory.EnumerateFiles(AppContext.BaseDirectory, "*", SearchOption.AllDirectories)
            .Any(f => cudaLibraries.Contains(Path.GetFileName(f)));
        return cudaBuild ? "libtorch CUDA build (a TorchSharp-cuda / libtorch-cuda package)" : "libtorch CPU build (TorchSharp-cpu / libtorch-cpu)";
    }
}
