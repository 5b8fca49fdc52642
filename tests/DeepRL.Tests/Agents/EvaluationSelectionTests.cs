using System.Globalization;
using DeepRL.Agents.Training;
using DeepRL.Environments;
using DeepRL.Environments.Spaces;
using Microsoft.Extensions.Logging.Abstractions;

namespace DeepRL.Tests.Agents;

/// <summary>
/// How the run picks and reports checkpoints, with a scripted agent whose evaluation score is chosen by the
/// test: fresh seeds per evaluation, a lucky evaluation is not enough to become "best", and the final report
/// compares latest and best on the same fresh seeds.
/// </summary>
[Category("Fast")]
public class EvaluationSelectionTests
{
    private string _out = "";

    [SetUp]
    public void SetUp() => _out = Directory.CreateTempSubdirectory("deeprl-evalsel-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_out, recursive: true);

    /// <summary>One-step episodes; reward = action / 10 plus seed-dependent noise in [-0.1, 0.1].</summary>
    private sealed class DialEnv : IEnvironment
    {
        private Rng _rng = new(0);
        private readonly float[] _obs = [0f];

        public Box ObservationSpace { get; } = new([1], [-1f], [1f]);

        public Space ActionSpace { get; } = new Discrete(11);

        public EnvSpec? Spec { get; set; }

        public ResetResult Reset(int? seed = null)
        {
            if (seed is int s) _rng = new Rng((ulong)s);
            return new ResetResult(_obs, Info.Empty);
        }

        public StepResult Step(EnvAction action) =>
            new(_obs, (float)(action.Discrete / 10.0 + _rng.Uniform(-0.1, 0.1)), true, false, Info.Empty);

        public void Dispose()
        {
        }
    }

    /// <summary>
    /// Advances the clock without learning; its greedy action at a step comes from <c>script(step, k)</c>, where k
    /// counts the evaluations already run at that step (0 = the periodic one, 1 = its confirmation).
    /// Checkpoints store the step, so loading "best" brings back that step's behaviour.
    /// </summary>
    private sealed class ScriptedAgent(Func<long, int, int> script) : IAgent, IBatchPolicy
    {
        private long _step, _weightsStep;
        private int _evalsAtStep;

        public string Algo => "scripted";

        public Box ObservationSpace { get; } = new([1], [-1f], [1f]);

        public Space ActionSpace { get; } = new Discrete(11);

        public void Learn(TrainingRun run)
        {
            for (long t = 1; !run.ShouldStop; t++)
            {
                _step = _weightsStep = t;
                _evalsAtStep = 0;
                run.Advance(t);
            }
        }

        public IBatchPolicy GreedyPolicy() => this;

        public void Act(ReadOnlySpan<float> observations, int count, Span<int> actions, ReadOnlySpan<bool> validActions = default)
        {
            // Every evaluation here is one batched step (one-step episodes), so each Act call is one evaluation.
            int action = _weightsStep == _step ? script(_step, _evalsAtStep++) : script(_weightsStep, 0);
            actions[..count].Fill(action);
        }

        public void Save(string directory, bool includeReplay) =>
            File.WriteAllText(Path.Combine(directory, "weights.txt"), _step.ToString(CultureInfo.InvariantCulture));

        public void Load(string directory, bool includeReplay, bool includeTrainingState = true) =>
            _weightsStep = long.Parse(File.ReadAllText(Path.Combine(directory, "weights.txt")), CultureInfo.InvariantCulture);

        public void Dispose()
        {
        }
    }

    private (RunSummary Summary, RunDirectory Dir) Run(Func<long, int, int> script, long steps = 400, int evalEpisodes = 30)
    {
        var registry = new EnvRegistry();
        registry.Register(new EnvSpec("Dial-v0", _ => new DialEnv()));
        var options = new RunOptions { EnvId = "Dial-v0", Algo = "scripted", Seed = 5, EvalEvery = 100, EvalEpisodes = evalEpisodes, CheckpointEvery = 0 };
        using var agent = new ScriptedAgent(script);
        using var run = TrainingRun.Create(options, agent, steps, _out, registry, NullLogger.Instance);
        return (run.Train(), run.Directory);
    }

    [Test]
    public void A_lucky_evaluation_does_not_become_best_unless_an_independent_one_confirms_it()
    {
        // Step 200 looks great once (action 9) but its confirmation shows the real level (action 3).
        var (summary, dir) = Run((step, k) => step switch { 100 => 5, 200 => k == 0 ? 9 : 3, _ => 4 });

        Assert.That(summary.BestEval!.Step, Is.EqualTo(100), "the unconfirmed candidate at step 200 must not replace best");
        Assert.That(summary.BestEval.MeanReturn, Is.EqualTo(0.5).Within(0.05), "best records its confirmation score");
        Assert.That(RunStore.CheckpointStep(dir.Checkpoint(RunStore.BestCheckpoint)), Is.EqualTo(100));
    }

    [Test]
    public void A_confirmed_improvement_replaces_best_with_the_confirmation_score()
    {
        var (summary, _) = Run((step, k) => step >= 300 ? 8 : 2);

        Assert.That(summary.BestEval!.Step, Is.EqualTo(300));
        Assert.That(summary.BestEval.MeanReturn, Is.EqualTo(0.8).Within(0.05));
        Assert.That(summary.BestEval.Episodes, Is.EqualTo(30));
    }

    [Test]
    public void Each_evaluation_draws_fresh_seeds()
    {
        // A constant policy: with the same seeds every time, all evaluations would print the same mean.
        var (_, dir) = Run((_, _) => 5, steps: 600, evalEpisodes: 10);

        var means = File.ReadAllLines(Path.Combine(dir.Path, "evaluations.csv")).Skip(1).Select(l => l.Split(',')[1]).ToList();
        Assert.That(means, Has.Count.EqualTo(6));
        Assert.That(means.Distinct().Count(), Is.GreaterThanOrEqualTo(5), string.Join(" ", means));
    }

    [Test]
    public void Final_report_compares_latest_and_best_on_the_same_fresh_seeds_and_recommends_the_better()
    {
        // Good early, worse at the end: "best" must be the recommended checkpoint, with an honest interval.
        var (summary, _) = Run((step, _) => step <= 100 ? 8 : 2);

        Assert.That(summary.Recommended, Is.EqualTo(RunStore.BestCheckpoint));
        var latest = summary.FinalEval!;
        var best = summary.BestFinalEval!;
        Assert.That(latest.Checkpoint, Is.EqualTo("latest"));
        Assert.That(best.Checkpoint, Is.EqualTo("best"));
        Assert.That(best.Step, Is.EqualTo(100));
        Assert.That(latest.Seed, Is.EqualTo(best.Seed), "same fresh seeds for both");
        Assert.That(latest.Episodes, Is.EqualTo(RunOptions.DefaultFinalEvalEpisodes));
        Assert.That(latest.MeanReturn, Is.EqualTo(0.2).Within(0.03));
        Assert.That(best.MeanReturn, Is.EqualTo(0.8).Within(0.03));
        Assert.That(best.Ci95Low, Is.LessThan(best.MeanReturn));
        Assert.That(best.Ci95High, Is.GreaterThan(best.MeanReturn));
        Assert.That(best.Ci95High - best.Ci95Low, Is.LessThan(0.05), "100 episodes with noise ±0.1 give a narrow interval");
    }

    [Test]
    public void Final_report_recommends_latest_when_it_is_at_least_as_good()
    {
        var (summary, _) = Run((step, _) => step >= 400 ? 9 : 4);

        Assert.That(summary.Recommended, Is.EqualTo(RunStore.LatestCheckpoint));
        Assert.That(summary.FinalEval!.MeanReturn, Is.EqualTo(0.9).Within(0.03));
    }
}
