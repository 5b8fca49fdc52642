using System.Diagnostics;
using DeepRL.Cli;

namespace DeepRL.Tests.Cli;

/// <summary>Runs the deeprl command line in-process (fast) or as the real program (end to end).</summary>
public static class CliRunner
{
    public sealed record Result(int ExitCode, string Output, string Error);

    public static Result Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = DeepRlCli.Run(args, output, error);
        return new Result(code, output.ToString(), error.ToString());
    }

    public static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "DeepRL.sln"))) return dir.FullName;
            }
            throw new InvalidOperationException("DeepRL.sln not found above the test directory.");
        }
    }

    /// <summary>The deeprl.dll built from src/Cli in the same configuration as the tests.</summary>
    public static string ProgramPath
    {
        get
        {
            // .../tests/DeepRL.Tests/bin/<Configuration>/net10.0/linux-x64/
            var testDir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
            var relative = Path.GetRelativePath(Path.Combine(RepoRoot, "tests", "DeepRL.Tests"), testDir.FullName);
            var path = Path.Combine(RepoRoot, "src", "Cli", relative, "deeprl.dll");
            if (!File.Exists(path)) throw new FileNotFoundException($"Build src/Cli first: {path} is missing.", path);
            return path;
        }
    }

    public static Result RunProcess(TimeSpan timeout, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(ProgramPath);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"deeprl {string.Join(' ', args)} did not finish within {timeout}");
        }
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }
}
