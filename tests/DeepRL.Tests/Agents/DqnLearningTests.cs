using DeepRL.Agents.Training;

namespace DeepRL.Tests.Agents;

[Category("Learning")]

public class DqnLearningTests
{
    private string _out = "";

    [SetUp]
    public void SetUp() => _out = Directory.CreateTempSubdirectory("deeprl-dqn-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_out, recursive: true);

    [Test]
    public void Dqn_learns_cartpole_well_above_random_on_a_small_budget()
    {
        var options = TrainingHarness.Options("CartPole-v1", "dqn", seed: 1, ["total_timesteps=30000"], evalEvery: 5000, evalEpisodes: 20);
        var (summary, _) = TrainingHarness.Train(options, _out);
        Assert.That(summary.BestEval, Is.Not.Null);
        TestContext.Out.WriteLine($"best eval {summary.BestEval!.MeanReturn} at {summary.BestEval.Step}, {summary.WallTimeSeconds:F1} s");
        Assert.That(summary.BestEval.MeanReturn, Is.GreaterThan(150), "random play averages about 22");
    }

    [Test]
    public void Cnn_dqn_reaches_the_goal_of_an_image_gridworld()
    {
        // The env's default budget (50k steps) with early stop at the reward threshold (0.9).
        var options = TrainingHarness.Options("GridWorld-Empty-8x8-Image-v0", "dqn", seed: 3, [], evalEvery: 2000, evalEpisodes: 20)
            with { StopWhenSolved = true };
        var (summary, _) = TrainingHarness.Train(options, _out);
        TestContext.Out.WriteLine($"best eval {summary.BestEval!.MeanReturn} at {summary.BestEval.Step}");
        Assert.That(summary.Status, Is.EqualTo("solved"));
        Assert.That(summary.BestEval.MeanReturn, Is.GreaterThanOrEqualTo(0.99), "every evaluation episode reaches the goal");
        Assert.That(summary.Steps, Is.LessThan(30_000));
    }

    [Test]
    public void Dueling_prioritized_n_step_variant_trains_and_learns()
    {
        var options = TrainingHarness.Options("CartPole-v1", "dqn", seed: 2,
            ["total_timesteps=20000", "dueling=true", "prioritized=true", "n_steps=3", "tau=0.05", "target_update_interval=1", "net_arch=64,64"],
            evalEvery: 5000, evalEpisodes: 20);
        var (summary, _) = TrainingHarness.Train(options, _out);
        Assert.That(summary.BestEval!.MeanReturn, Is.GreaterThan(60));
    }
}
