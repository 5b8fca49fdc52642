using DeepRL.Agents.Training;

namespace DeepRL.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        InstallCheckpointTestPause();
        return DeepRlCli.Run(args, Console.Out, Console.Error);
    }

    /// <summary>
    /// Test seam for the crash-safety tests: with DEEPRL_TEST_PAUSE_AT=&lt;stage&gt; (a step of the checkpoint swap:
    /// filled, old-removed, moved-aside, moved-in) the process writes DEEPRL_TEST_PAUSE_MARKER when it reaches that
    /// stage and waits there, so a test can SIGKILL it at exactly that moment. Unset in normal use.
    /// </summary>
    private static void InstallCheckpointTestPause()
    {
        string? stage = Environment.GetEnvironmentVariable("DEEPRL_TEST_PAUSE_AT");
        string? marker = Environment.GetEnvironmentVariable("DEEPRL_TEST_PAUSE_MARKER");
        if (string.IsNullOrEmpty(stage) || string.IsNullOrEmpty(marker)) return;
        AtomicFile.TestPause = reached =>
        {
            if (reached != stage) return;
            File.WriteAllText(marker, reached);
            Thread.Sleep(Timeout.Infinite);
        };
    }
}
