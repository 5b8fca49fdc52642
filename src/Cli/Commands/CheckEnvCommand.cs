using System.CommandLine;
using DeepRL.Environments;
using DeepRL.Environments.Checking;

namespace DeepRL.Cli.Commands;

/// <summary><c>deeprl check-env</c>: runs an environment through the API contract and reports every problem.</summary>
public static class CheckEnvCommand
{
    public static Command Create()
    {
        var env = CommonOptions.Env();
        var envOptions = CommonOptions.EnvOptions();
        var steps = new Option<int>("--steps") { Description = "Random steps to run", DefaultValueFactory = _ => 1000 };
        var cmd = new Command("check-env", "Check that an environment follows the API contract (like Gymnasium's check_env)") { env, envOptions, steps };
        cmd.SetAction(parse =>
        {
            var ctx = DeepRlCli.Context(parse);
            string id = parse.GetValue(env)!;
            var options = Environments.EnvOptions.Parse(parse.GetValue(envOptions)!);
            ctx.Registry.Make(id, options).Dispose(); // unknown ids and bad options fail here with a clear message
            var results = EnvChecker.Check(() => ctx.Registry.Make(id, Environments.EnvOptions.Parse(parse.GetValue(envOptions)!)), parse.GetValue(steps));
            foreach (var r in results)
                ctx.Output.WriteLine($"{(r.Passed ? "PASS" : "FAIL")}  {r.Name}{(r.Passed ? "" : ": " + r.Detail)}");
            int failed = results.Count(r => !r.Passed);
            ctx.Output.WriteLine(failed == 0 ? $"{id}: all {results.Count} checks passed" : $"{id}: {failed} of {results.Count} checks failed");
            return failed == 0 ? 0 : 1;
        });
        return cmd;
    }
}
