using DeepRL.Environments;
using DeepRL.Environments.Checking;
using DeepRL.Environments.GridWorlds;
using DeepRL.Environments.Wrappers;

namespace DeepRL.Tests.Environments;

[Category("Fast")]

public class RegistryTests
{
    public static IEnumerable<string> AllIds => EnvRegistry.Default.Ids;

    [TestCaseSource(nameof(AllIds))]
    public void Every_built_in_env_passes_the_api_checks(string id)
    {
        var results = EnvChecker.Check(() => EnvRegistry.Default.Make(id), steps: 2000);
        Assert.That(results.Where(r => !r.Passed).Select(r => $"{r.Name}: {r.Detail}"), Is.Empty);
    }

    [TestCaseSource(nameof(AllIds))]
    public void Every_built_in_env_steps_without_allocating(string id)
    {
        using var env = EnvRegistry.Default.Make(id);
        var rng = new Rng(1);
        var actions = Enumerable.Range(0, 1024).Select(_ => env.ActionSpace is DeepRL.Environments.Spaces.Discrete d
            ? new EnvAction(d.Sample(rng))
            : new EnvAction(new[] { rng.NextFloat() * 4 - 2 })).ToArray();
        var masks = new ActionMaskReader(env); // masked envs (board games) get valid random moves, read without allocating
        void Run(int steps)
        {
            for (int t = 0; t < steps; t++)
            {
                var valid = masks.Current;
                var action = valid.IsEmpty ? actions[t & 1023] : new EnvAction(ActionMask.SampleValid(rng, valid.Length, valid));
                if (env.Step(action).Done) env.Reset();
            }
        }
        env.Reset(0);
        Run(5000); // warm-up: JIT, lazy statics
        long before = GC.GetAllocatedBytesForCurrentThread();
        Run(20000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(allocated, Is.Zero, $"{id} allocated {allocated} bytes over 20000 steps");
    }

    [Test]
    public void Vector_env_steps_without_allocating()
    {
        using var venv = DeepRL.Environments.Vector.VectorEnvs.Make("GridWorld-FourRooms-v0", 8);
        var actions = new int[8];
        venv.Reset(0);
        for (int t = 0; t < 2000; t++) venv.Step(actions);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int t = 0; t < 5000; t++)
        {
            actions[t % 8] = t % 4;
            venv.Step(actions);
        }
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }

    [Test]
    public void Unknown_id_lists_known_ids_and_suggests_the_closest()
    {
        var ex = Assert.Throws<UnknownEnvironmentException>(() => EnvRegistry.Default.Make("CartPole-v0"));
        Assert.That(ex!.Message, Does.Contain("Did you mean 'CartPole-v1'?").And.Contain("GridWorld-FourRooms-v0"));
    }

    [Test]
    public void Unknown_option_is_rejected_with_the_accepted_ones()
    {
        var ex = Assert.Throws<ArgumentException>(() => EnvRegistry.Default.Make("GridWorld-FourRooms-v0", EnvOptions.Parse(["colour=red"])));
        Assert.That(ex!.Message, Does.Contain("colour").And.Contain("obs"));
    }

    [Test]
    public void Options_choose_the_observation_mode_and_time_limit()
    {
        using var env = EnvRegistry.Default.Make("GridWorld-FourRooms-v0", EnvOptions.Parse(["obs=image", "max_episode_steps=7"]));
        Assert.That(Wrapper.Find<GridWorld>(env)!.Mode, Is.EqualTo(GridObservation.Image));
        Assert.That(Wrapper.Find<TimeLimit>(env)!.MaxEpisodeSteps, Is.EqualTo(7));
        Assert.That(env.Spec!.MaxEpisodeSteps, Is.EqualTo(7));
    }

    [Test]
    public void Bad_option_value_names_the_valid_values()
    {
        var ex = Assert.Throws<ArgumentException>(() => EnvRegistry.Default.Make("GridWorld-TMaze-v0", EnvOptions.Parse(["obs=pixels"])));
        Assert.That(ex!.Message, Does.Contain("onehot, coords, image"));
    }

    [Test]
    public void Custom_environments_register_and_make()
    {
        var registry = new EnvRegistry();
        registry.Register(new EnvSpec("Mine-v0", _ => new GridWorld(GridMap.Parse("---\nSG\n", "mine")), 10));
        using var env = registry.Make("Mine-v0");
        env.Reset(0);
        Assert.That(env.Step(1).Terminated, Is.True);
        var duplicate = Assert.Throws<DuplicateEnvIdException>(() => registry.Register(new EnvSpec("Mine-v0", _ => null!)));
        Assert.That(duplicate!.Id, Is.EqualTo("Mine-v0"), "a typed error, still an ArgumentException");
    }

    [Test]
    public void Envs_can_be_made_from_one_options_object_on_many_threads_at_once()
    {
        // A3C workers build their envs concurrently from the run's options (this used to throw NullReferenceException).
        const int threadsCount = 4, rounds = 1500;
        var options = new EnvOptions[rounds];
        for (int r = 0; r < rounds; r++) options[r] = new EnvOptions(new Dictionary<string, string>());
        using var barrier = new Barrier(threadsCount);
        var errors = new System.Collections.Concurrent.ConcurrentBag<Exception>();
        var threads = Enumerable.Range(0, threadsCount).Select(_ => new Thread(() =>
        {
            for (int r = 0; r < rounds; r++)
            {
                barrier.SignalAndWait(); // all threads read the same fresh options object at the same moment
                try
                {
                    EnvRegistry.Default.Make("MinAtar/Breakout-v1", options[r]).Dispose();
                }
                catch (Exception ex)
                {
                    errors.Add(ex);
                }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.That(errors, Is.Empty, errors.FirstOrDefault()?.ToString());
    }
}
