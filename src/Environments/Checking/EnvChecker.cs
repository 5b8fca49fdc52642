using DeepRL.Environments.Spaces;

namespace DeepRL.Environments.Checking;

/// <summary>One check of <see cref="EnvChecker"/>: its name, whether it passed, and what was wrong.</summary>
public sealed record CheckResult(string Name, bool Passed, string Detail);

/// <summary>
/// Runs an environment through the API contract, like Gymnasium's <c>check_env</c>: spaces, reset and
/// step return types, observations inside the observation space, seeding determinism, invalid actions,
/// stepping after the end, and (for <see cref="IActionMasking"/> envs) a usable mask; random actions respect the
/// mask. Each check reports separately so authors see everything wrong at once.
/// </summary>
public static class EnvChecker
{
    public static IReadOnlyList<CheckResult> Check(Func<IEnvironment> make, int steps = 1000, int seed = 123)
    {
        var results = new List<CheckResult>();
        void Run(string name, Func<string?> check)
        {
            try
            {
                string? problem = check();
                results.Add(new CheckResult(name, problem is null, problem ?? "ok"));
            }
            catch (Exception ex)
            {
                results.Add(new CheckResult(name, false, $"{ex.GetType().Name}: {ex.Message}"));
            }
        }

        using var env = make();
        var envMasks = new ActionMaskReader(env); // random actions respect the env's action mask, if it has one
        Run("observation space is a valid Box", () =>
            env.ObservationSpace is null ? "ObservationSpace is null" :
            env.ObservationSpace.FlatSize <= 0 ? "ObservationSpace has no elements" : null);
        Run("action space is Discrete or Box", () =>
            env.ActionSpace is Discrete or Box ? null : $"ActionSpace is {env.ActionSpace?.GetType().Name ?? "null"}");

        Run("reset observation has the right size and lies in the observation space", () =>
        {
            var r = env.Reset(seed);
            if (r.Observation is null) return "Reset returned a null observation";
            if (r.Observation.Length != env.ObservationSpace.FlatSize)
                return $"Reset observation has {r.Observation.Length} values; ObservationSpace {env.ObservationSpace} needs {env.ObservationSpace.FlatSize}";
            return env.ObservationSpace.Contains(r.Observation) ? null : $"Reset observation [{Preview(r.Observation)}] is outside {env.ObservationSpace}";
        });

        Run("reset with the same seed gives the same observation", () =>
        {
            var a = (float[])env.Reset(seed).Observation.Clone();
            var b = (float[])env.Reset(seed).Observation.Clone();
            return a.AsSpan().SequenceEqual(b) ? null : $"Reset({seed}) gave [{Preview(a)}] then [{Preview(b)}]: seed the env's random generator in Reset";
        });

        Run($"{steps} random steps: observations in space, finite rewards, sane flags", () =>
        {
            var rng = new Rng((ulong)seed);
            env.Reset(seed);
            var actionBuffer = new float[env.ActionSpace is Box ab ? ab.FlatSize : 0];
            for (int t = 0; t < steps; t++)
            {
                var r = env.Step(SampleAction(env, envMasks, rng, actionBuffer));
                if (r.Observation is null) return $"step {t}: Step returned a null observation";
                if (r.Observation.Length != env.ObservationSpace.FlatSize)
                    return $"step {t}: observation has {r.Observation.Length} values; ObservationSpace {env.ObservationSpace} needs {env.ObservationSpace.FlatSize}";
                if (!env.ObservationSpace.Contains(r.Observation))
                    return $"step {t}: observation [{Preview(r.Observation)}] is outside {env.ObservationSpace}";
                if (!float.IsFinite(r.Reward)) return $"step {t}: reward is {r.Reward}";
                if (r.Info is null) return $"step {t}: Info is null; return Info.Empty instead";
                if (r.Done) env.Reset();
            }
            return null;
        });

        if (ActionMask.Of(env) is not null)
        {
            Run("the action mask allows some action in every non-terminal state", () =>
            {
                if (env.ActionSpace is not Discrete) return "IActionMasking needs a Discrete action space";
                var rng = new Rng((ulong)seed + 1);
                env.Reset(seed);
                for (int t = 0; t < steps; t++)
                {
                    if (ActionMask.NoneValid(envMasks.Current)) return $"step {t}: the mask marks no action valid in a state that has not ended";
                    if (env.Step(SampleAction(env, envMasks, rng, [])).Done) env.Reset();
                }
                return null;
            });
        }

        Run("same seed and actions give the same trajectory", () =>
        {
            using var other = make();
            var otherMasks = new ActionMaskReader(other);
            var rng1 = new Rng(7);
            var rng2 = new Rng(7);
            var buf1 = new float[env.ActionSpace is Box b1 ? b1.FlatSize : 0];
            var buf2 = new float[buf1.Length];
            env.Reset(seed);
            other.Reset(seed);
            for (int t = 0; t < Math.Min(steps, 300); t++)
            {
                var r1 = env.Step(SampleAction(env, envMasks, rng1, buf1));
                var r2 = other.Step(SampleAction(other, otherMasks, rng2, buf2));
                if (!r1.Observation.AsSpan().SequenceEqual(r2.Observation) || r1.Reward != r2.Reward || r1.Done != r2.Done)
                    return $"two envs reset with seed {seed} diverged at step {t}: all randomness must come from the seeded generator";
                if (r1.Done)
                {
                    env.Reset();
                    other.Reset();
                }
            }
            return null;
        });

        Run("an invalid action is rejected with ArgumentOutOfRangeException", () =>
        {
            env.Reset(seed);
            EnvAction bad = env.ActionSpace is Discrete d ? d.N : new float[Math.Max(1, ((Box)env.ActionSpace).FlatSize + 1)];
            try
            {
                env.Step(bad);
            }
            catch (ArgumentException)
            {
                return null;
            }
            return $"Step({bad}) was accepted; throw ArgumentOutOfRangeException naming the valid range";
        });

        Run("stepping after termination is refused until reset", () =>
        {
            var rng = new Rng(3);
            var buf = new float[env.ActionSpace is Box b ? b.FlatSize : 0];
            env.Reset(seed);
            for (int t = 0; t < 100_000; t++)
            {
                var r = env.Step(SampleAction(env, envMasks, rng, buf));
                if (!r.Terminated) continue;
                try
                {
                    env.Step(SampleAction(env, envMasks, rng, buf));
                }
                catch (InvalidOperationException)
                {
                    return null;
                }
                return "Step after a terminal step was accepted; throw InvalidOperationException asking for Reset()";
            }
            return null; // never terminates under random play: nothing to check
        });

        return results;
    }

    private static EnvAction SampleAction(IEnvironment env, ActionMaskReader masks, Rng rng, float[] buffer)
    {
        if (env.ActionSpace is Discrete d) return ActionMask.SampleValid(rng, d.N, masks.Current);
        ((Box)env.ActionSpace).Sample(rng, buffer);
        return new EnvAction(buffer);
    }

    private static string Preview(float[] obs) =>
        string.Join(", ", obs.Take(8).Select(v => v.ToString("g4"))) + (obs.Length > 8 ? ", …" : "");
}
