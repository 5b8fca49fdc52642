using DeepRL.Agents.Export;
using DeepRL.Agents.OnPolicy;
using DeepRL.Agents.Policies;
using DeepRL.Agents.Torch;
using DeepRL.Agents.Training;
using DeepRL.Environments;
using DeepRL.Environments.Spaces;
using TorchSharp;
using static TorchSharp.torch;

namespace DeepRL.Agents.A2c;

/// <summary>
/// A2C, the synchronous advantage actor-critic: one learner steps num_envs envs for num_steps steps, computes
/// n-step returns, and takes one gradient step on the actor-critic loss. The same collector and loss as
/// each A3C worker, batched instead of asynchronous. <see cref="Learn"/> reads top to bottom.
/// </summary>
public sealed class A2cAgent : IAgent, IExportablePolicy
{
    private readonly Device _device;
    private readonly ActorCritic _net;
    private readonly IOptimizer _optimizer;
    private readonly Rng _rng;
    private readonly LoopState _loop = new("a2c");

    public A2cAgent(A2cConfig config, Box observationSpace, Space actionSpace, Device device, int seed)
    {
        config.Validate();
        Config = config;
        ObservationSpace = observationSpace;
        ActionSpace = actionSpace;
        _device = device;
        _rng = new Rng((ulong)seed);
        torch.set_num_threads(config.TorchThreads);
        torch.manual_seed(seed);
        _net = ActorCriticParts.Network(config, observationSpace, actionSpace);
        _net.to(device);
        _optimizer = ActorCriticParts.Optimizer(config, _net.parameters());
    }

    public string Algo => "a2c";

    public A2cConfig Config { get; }

    public Box ObservationSpace { get; }

    public TorchSharp.torch.nn.Module PolicyNetwork => _net;

    public Space ActionSpace { get; }

    public double LearningRate => _optimizer.LearningRate;

    public void Learn(TrainingRun run)
    {
        var c = Config;
        using var envs = run.MakeVectorEnvs(c.NumEnvs);
        using var collector = new RolloutCollector(_net, envs, c.NumSteps, _device, _rng);
        long step = run.Step, nextLog = 0;
        // A resumed run completes the segment the checkpoint interrupted, in the same envs' episodes.
        if (_loop.Resume(run, envs) is { } saved) collector.LoadState(saved);
        _loop.Attach(envs, () => step, collector.SaveState);
        try
        {
            while (!run.ShouldStop)
            {
                // The learning rate is read where the segment started (a restored segment started before the checkpoint).
                _optimizer.LearningRate = ActorCriticParts.LearningRate(c, run.ScheduleProgress(step - (long)collector.RestoredSteps * c.NumEnvs));

                // 1. num_steps steps in every env with the current policy.
                bool complete = collector.Collect(() => run.ShouldStop, run.EpisodeFinished, () =>
                {
                    step += c.NumEnvs;
                    run.Advance(step);
                });
                if (!complete) break; // stopped mid-segment: the checkpoint keeps it and a resume completes it

                // 2. n-step returns, bootstrapping from V(s_T) (0 after termination, V(final obs) after truncation).
                collector.ComputeNStepReturns((float)c.Gamma);

                // 3. One update on the actor-critic loss.
                using var scope = NewDisposeScope();
                var loss = ActorCriticLoss.OnRollout(_net, collector, c, _device);
                _optimizer.ZeroGrad();
                loss.Total.backward();
                if (GradientClipping.CheckAndClip(_net.parameters(), c.MaxGradNorm, run)) _optimizer.Step();
                collector.RolloutUsed();

                if (step >= nextLog)
                {
                    nextLog = step + 1000;
                    ActorCriticMetrics.From(loss).Log(run.Metrics, _optimizer.LearningRate, step);
                }
            }
        }
        catch
        {
            _loop.Abandon(); // a failed step leaves no state worth saving
            throw;
        }
        _loop.Detach(); // before the envs are disposed: the checkpoint saved after the loop stores its final state
    }

    public IBatchPolicy GreedyPolicy() => new GreedyActorPolicy(_net, ObservationSpace.Shape, _device);

    public IBatchPolicy StochasticPolicy(int seed) => new GreedyActorPolicy(_net, ObservationSpace.Shape, _device, new Rng((ulong)seed));

    public void Save(string directory, bool includeReplay)
    {
        NetworkCheckpoint.Save(directory, _net, _optimizer, _rng);
        _loop.Save(directory);
    }

    public void Load(string directory, bool includeReplay, bool includeTrainingState = true)
    {
        NetworkCheckpoint.Load(directory, _net, _optimizer, _rng, includeTrainingState);
        if (includeTrainingState) _loop.Load(directory);
    }

    public void Dispose()
    {
        _optimizer.Dispose();
        _net.Dispose();
    }
}
