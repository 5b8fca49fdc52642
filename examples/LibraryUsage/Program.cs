// Training from C#: the SB3-shaped DeepRL.Agent API. Run: dotnet run --project examples/LibraryUsage [steps]
using DeepRL;
using DeepRL.Environments;
using DeepRL.Environments.Classic;
using DeepRL.Environments.Wrappers;

long steps = args.Length > 0 ? long.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 50_000;

// 1. A registered environment, with a hyperparameter override and a callback that stops at a reward threshold.
using var agent = Agent.Create("ppo", "CartPole-v1", new Dictionary<string, object> { ["learning_rate"] = 1e-3 }, seed: 1);
var summary = agent.Learn(steps, new LearnOptions
{
    EvalEvery = 5_000,
    EvalEpisodes = 20,
    OnEvaluation = e =>
    {
        Console.WriteLine($"step {e.Step}: eval {e.MeanReturn:F1}");
        return e.MeanReturn < 475; // false stops training
    },
});
Console.WriteLine($"trained {summary.Steps} steps ({summary.Status})");

// 2. Acting: one observation at a time, like an env loop in your own program.
using var env = EnvRegistry.Default.Make("CartPole-v1");
var obs = env.Reset(seed: 42).Observation;
double episodeReturn = 0;
for (bool done = false; !done;)
{
    var step = env.Step(agent.Predict(obs, deterministic: true));
    obs = step.Observation;
    episodeReturn += step.Reward;
    done = step.Terminated || step.Truncated;
}
Console.WriteLine($"one greedy episode: return {episodeReturn}");

// 3. Save, load (no environment needed), evaluate.
agent.Save("cartpole-ppo");
using var loaded = Agent.Load("cartpole-ppo");
Console.WriteLine($"loaded agent: {loaded.Evaluate(episodes: 20)}");

// 4. Your own environment, no registration: any IEnvironment factory.
using var custom = Agent.Create("a2c", () => new TimeLimit(new CartPole(), 200), name: "ShortPole-v0");
custom.Learn(steps / 2);
Console.WriteLine($"custom env: {custom.Evaluate(episodes: 10, env: new TimeLimit(new CartPole(), 200))}");
