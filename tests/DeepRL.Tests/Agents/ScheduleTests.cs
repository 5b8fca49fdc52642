using DeepRL.Agents;
using DeepRL.Agents.Training;

namespace DeepRL.Tests.Agents;

/// <summary>
/// Learn(steps) and resume mean what they say for the schedules: a call's steps span them (SB3's learn), and a resume to
/// a larger total continues them from where the run stopped instead of jumping back up.
/// </summary>
public class ScheduleTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("deeprl-schedule-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test, Category("Fast")]
    public void A_span_continued_to_another_total_is_continuous_and_keeps_earlier_steps()
    {
        var span = ScheduleSpan.Fresh(4000);
        Assert.That(span.Progress(1000), Is.EqualTo(0.25));
        var longer = span.ContinuedTo(1000, 7000);
        Assert.That(longer.Progress(1000), Is.EqualTo(0.25), "no jump at the resume step");
        Assert.That(longer.Progress(7000), Is.EqualTo(1.0), "ends at the new total");
        Assert.That(longer.Progress(4000), Is.EqualTo(0.25 + 0.75 * 3000 / 6000));
        Assert.That(longer.Progress(600), Is.EqualTo(span.Progress(600)), "a segment that started before the resume keeps its values");
        Assert.That(span.ContinuedTo(1000, 4000), Is.SameAs(span), "same total, same span");
    }

    [Test, Category("Learning")]
    public void Learn_steps_shape_the_schedules_not_total_timesteps()
    {
        // total_timesteps says 100k, the call says 2048: exploration must have reached its end by the last step.
        using var agent = Agent.Create("dqn", "CartPole-v1", new Dictionary<string, object>
        {
            ["total_timesteps"] = 100_000, ["learning_starts"] = 100, ["exploration_fraction"] = 0.5, ["anneal_lr"] = true,
        });
        double lastLr = double.NaN;
        agent.Learn(2048, new LearnOptions { OnStep = _ => { lastLr = agent.Implementation.LearningRate; return true; } });
        double initial = agent.Hyperparameters["learning_rate"]!.GetValue<double>();
        Assert.That(lastLr, Is.LessThan(initial * 0.01), "the annealed learning rate reached ~0 at the call's last step");
        Assert.That(agent.Hyperparameters["total_timesteps"]!.GetValue<long>(), Is.EqualTo(2048), "and the config says the call's length");
    }

    [TestCase("ppo")]
    [TestCase("a2c")]
    [Category("Learning")]
    public void A_resume_to_a_larger_total_continues_the_learning_rate_without_a_jump(string algo)
    {
        var options = new RunOptions
        {
            EnvId = "CartPole-v1",
            Algo = algo,
            Seed = 2,
            EvalEvery = 0,
            FinalEvalEpisodes = 0,
            CheckpointEvery = 0,
            Hyperparameters = AgentCatalog.ResolveHyperparameters(algo, "CartPole-v1", null, ["total_timesteps=6000", "anneal_lr=true"]),
        };
        var first = new LearningRateProbe(stopAt: 3100);
        using (var agent = Agent.Create(options))
        {
            first.Agent = agent;
            Assert.That(agent.Train(_dir, "run", first).Status, Is.EqualTo("interrupted"));
        }
        var second = new LearningRateProbe(stopAt: long.MaxValue);
        using (var resumed = Agent.Resume(Path.Combine(_dir, "run"), totalSteps: 12_000))
        {
            second.Agent = resumed;
            Assert.That(resumed.Train(observer: second).Status, Is.EqualTo("completed"));
        }
        double before = first.Rates[^1].Rate, after = second.Rates[0].Rate;
        TestContext.Out.WriteLine($"{algo}: lr {before} at step {first.Rates[^1].Step} before the stop, {after} at step {second.Rates[0].Step} after the resume");
        Assert.That(after, Is.EqualTo(before).Within(1e-12), "the learning rate at the resume step is the one before the stop");
        Assert.That(second.Rates[^1].Rate, Is.LessThan(before), "and it keeps decaying towards the new end");
        Assert.That(second.Rates.Zip(second.Rates.Skip(1)).All(p => p.Second.Rate <= p.First.Rate), "never jumping up");
    }

    /// <summary>Records the agent's learning rate at every step, and stops the run at a step (what Ctrl-C does).</summary>
    private sealed class LearningRateProbe(long stopAt) : ITrainingObserver
    {
        public Agent? Agent { get; set; }

        public List<(long Step, double Rate)> Rates { get; } = [];

        public void Stepped(TrainingRun run)
        {
            Rates.Add((run.Step, Agent!.Implementation.LearningRate));
            if (run.Step >= stopAt) run.RequestStop();
        }

        public void Progress(TrainingStatus status)
        {
        }

        public void Message(string text)
        {
        }
    }
}
