using DeepRL.Agents.Torch;
using DeepRL.Tests.Cli;

namespace DeepRL.Tests.Torch;

[Category("Fast")]

public class TorchSmokeTests
{
    [Test]
    public void Forward_and_backward_pass_run_in_the_test_process()
    {
        var (output, gradNorm, version) = TorchCheck.Run();
        Assert.That(output, Has.Length.EqualTo(4));
        Assert.That(output, Has.All.Matches<float>(float.IsFinite));
        Assert.That(gradNorm, Is.GreaterThan(0));
        Assert.That(version, Does.StartWith("2."));
        // Deterministic under the fixed seed.
        Assert.That(TorchCheck.Run().Output, Is.EqualTo(output));
    }

    [Test]
    public void Deeprl_program_runs_a_forward_pass()
    {
        var r = CliRunner.RunProcess(TimeSpan.FromMinutes(2), "doctor");
        Assert.That(r.ExitCode, Is.Zero, r.Output + r.Error);
        Assert.That(r.Output, Does.Contain("forward pass output").And.Contain("ok"));
    }

    [Test]
    public void Asking_for_cuda_without_it_names_the_fix()
    {
        if (TorchSharp.torch.cuda.is_available())
        {
            Assert.That(DeviceResolver.Resolve("cuda").type, Is.EqualTo(TorchSharp.DeviceType.CUDA));
            return;
        }
        var ex = Assert.Throws<ArgumentException>(() => DeviceResolver.Resolve("cuda"));
        Assert.That(ex!.Message, Does.Contain("--device cpu"));
        Assert.Throws<ArgumentException>(() => DeviceResolver.Resolve("tpu"));
    }
}
