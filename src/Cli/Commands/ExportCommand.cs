using System.CommandLine;
using DeepRL.Agents.Export;
using DeepRL.Environments;

namespace DeepRL.Cli.Commands;

/// <summary><c>deeprl export</c>: a trained run's greedy policy as a standard ONNX file (see docs/deployment.md).</summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var run = new Option<string>("--run") { Description = "Run folder of a trained agent (runs/…)", Required = true };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "best or latest (default: the one summary.json recommends, else best when present)" };
        var output = new Option<string>("--out") { Description = "The ONNX file to write", DefaultValueFactory = _ => "policy.onnx" };
        var cmd = new Command("export", "Export a trained policy to ONNX: raw env observations in, greedy actions out (run it with DeepRL.Inference or any ONNX runtime)")
        {
            run, checkpoint, output,
        };
        cmd.SetAction(parse =>
        {
            var ctx = DeepRlCli.Context(parse);
            var loaded = EvalCommand.LoadRun(ctx, parse.GetValue(run)!, parse.GetValue(checkpoint), "cpu");
            using var _ = loaded.Agent;
            string path = Path.GetFullPath(parse.GetValue(output)!);
            if (Path.GetDirectoryName(path) is { } folder && !Directory.Exists(folder))
                throw new CliException($"The folder of --out '{path}' does not exist; create it first.");
            bool masks;
            using (var env = ctx.Registry.Make(loaded.Options.EnvId, new EnvOptions(loaded.Options.EnvOptions))) masks = ActionMask.Of(env) is not null;
            try
            {
                PolicyExport.Export(loaded.Agent, new ExportSource(loaded.Options.EnvId, loaded.Options.EnvOptions, loaded.Options.Algo, loaded.Step, masks), path);
            }
            catch (NotSupportedException ex)
            {
                throw new CliException($"Run {loaded.Directory.Name} cannot be exported: {ex.Message}");
            }
            ctx.Output.WriteLine($"Exported {loaded.Options.Algo} on {loaded.Options.EnvId} (checkpoint {loaded.CheckpointName}, step {loaded.Step}) to {path} " +
                                 $"({new FileInfo(path).Length / 1024.0:F0} KiB, ONNX opset {PolicyExport.Opset}{(masks ? ", with an action-mask input" : "")})");
            return 0;
        });
        return cmd;
    }
}
