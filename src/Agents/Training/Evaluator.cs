using DeepRL.Environments;
using DeepRL.Environments.Evaluation;
using DeepRL.Environments.Vector;

namespace DeepRL.Agents.Training;

/// <summary>
/// Deterministic evaluation: the greedy policy plays <c>episodes</c> episodes, all in parallel in one
/// vector env (batched forward passes instead of one per step), env i seeded with <c>seed + i</c>.
/// Each env contributes exactly its first episode, so the result does not depend on episode lengths.
/// </summary>
public static class Evaluator
{
    public const int MaxParallel = 128;

    public static EpisodeStats Evaluate(IBatchPolicy policy, EnvRegistry registry, string envId, EnvOptions? options,
        int episodes, int seed)
    {
        if (episodes <= 0) throw new ArgumentOutOfRangeException(nameof(episodes), episodes, "--eval-episodes must be at least 1.");
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
}
