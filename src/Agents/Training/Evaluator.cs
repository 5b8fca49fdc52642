using DeepRL.Agents.Torch;
using DeepRL.Environments;
using DeepRL.Environments.Evaluation;
using DeepRL.Environments.Vector;

namespace DeepRL.Agents.Training;

/// <summary>
/// Deterministic evaluation: the greedy policy plays <c>episodes</c> episodes, all in parallel in one
/// vector env (batched forward passes instead of one per step), env i seeded with <c>seed + i</c>.
/// Each env contributes exactly its first episode, so the result does not depend on episode lengths.
/// Evaluating on an environment instance plays the same episodes one after another (episode i reset with
/// <c>seed + i</c>), so both paths give the same returns for the same seed. Both hold the process's GC gate.
/// </summary>
public static class Evaluator
{
    public const int MaxParallel = 128;

    public static EpisodeStats Evaluate(IBatchPolicy policy, EnvRegistry registry, string envId, EnvOptions? options,
        int episodes, int seed)
    {
        if (episodes <= 0) throw new ArgumentOutOfRangeException(nameof(episodes), episodes, "--eval-episodes must be at least 1.");
        using var gate = GcGate.Enter();
        var returns = new List<double>(episodes);
        var lengths = new List<int>(episodes);
        for (int first = 0; first < episodes; first += MaxParallel)
        {
            int n = Math.Min(MaxParallel, episodes - first);
            using var venv = VectorEnvs.Make(envId, n, VectorMode.Sync, options: options, registry: registry);
            venv.Reset(seed + first);
            var done = new bool[n];
            var actions = new int[n];
            var box = venv.SingleActionSpace as DeepRL.Environments.Spaces.Box;
            var continuous = box is null ? [] : new float[n * box.FlatSize];
            var starts = new bool[n];
            Array.Fill(starts, true);
            policy.ResetRows(starts);
            var finishedReturn = new double[n];
            var finishedLength = new int[n];
            int remaining = n;
            while (remaining > 0)
            {
                GcGate.SafePoint(); // between two forward passes: an allocating env may need a collection here
                if (box is null)
                {
                    policy.Act(venv.Observations, n, actions, venv.ActionMasks);
                    venv.Step(actions);
                }
                else
                {
                    policy.ActContinuous(venv.Observations, n, continuous);
                    for (int k = 0; k < continuous.Length; k++)
                        continuous[k] = Math.Clamp(continuous[k], box.Low[k % box.FlatSize], box.High[k % box.FlatSize]);
                    venv.Step(continuous);
                }
                for (int i = 0; i < n; i++)
                {
                    starts[i] = venv.HasFinalObservation[i];
                    if (done[i] || !venv.HasFinalObservation[i]) continue;
                    done[i] = true;
                    finishedReturn[i] = venv.FinishedEpisodeReturns[i];
                    finishedLength[i] = venv.FinishedEpisodeLengths[i];
                    remaining--;
                }
                policy.ResetRows(starts);
            }
            returns.AddRange(finishedReturn);
            lengths.AddRange(finishedLength);
        }
        return new EpisodeStats(returns, lengths);
    }

    /// <summary>
    /// The same evaluation on one environment instance (e.g. <c>Agent.Evaluate(episodes, seed, env)</c>): episode i starts
    /// with <c>Reset(seed + i)</c>, as env i of the vector path does, so an env built like the registry's gives the same returns.
    /// </summary>
    public static EpisodeStats Evaluate(IBatchPolicy policy, IEnvironment env, int episodes, int seed)
    {
        if (episodes <= 0) throw new ArgumentOutOfRangeException(nameof(episodes), episodes, "Evaluation needs at least one episode.");
        using var gate = GcGate.Enter();
        var adapter = new BatchPolicyAdapter(policy, env.ActionSpace);
        var returns = new List<double>(episodes);
        var lengths = new List<int>(episodes);
        for (int e = 0; e < episodes; e++)
        {
            var one = EpisodeRunner.Run(env, adapter, 1, seed + e);
            returns.Add(one.Returns[0]);
            lengths.Add(one.Lengths[0]);
        }
        return new EpisodeStats(returns, lengths);
    }
}
