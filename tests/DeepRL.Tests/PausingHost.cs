using DeepRL.Agents.Training;
using DeepRL.Cli;

namespace DeepRL.Tests;

/// <summary>
/// The test assembly run as a program (<c>dotnet DeepRL.Tests.dll --pause-at STAGE MARKER deeprl-args…</c>): the real
/// deeprl command line, except that the checkpoint swap stops at STAGE (filled, old-removed, moved-aside, moved-in),
/// writes MARKER and waits, so a crash test can SIGKILL it at exactly that moment. The seam lives here, not in the
/// released program.
/// </summary>
public static class PausingHost
{
    public static int Main(string[] args)
    {
        if (args.Length < 3 || args[0] != "--pause-at")
        {
            Console.Error.WriteLine("usage: dotnet DeepRL.Tests.dll --pause-at STAGE MARKER deeprl-arguments…");
            return 2;
        }
        string stage = args[1], marker = args[2];
        AtomicFile.TestPause = reached =>
        {
            if (reached != stage) return;
            File.WriteAllText(marker, reached);
            Thread.Sleep(Timeout.Infinite);
        };
        return DeepRlCli.Run(args[3..], Console.Out, Console.Error);
    }
}
