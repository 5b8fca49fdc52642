using DeepRL;
using MyEnv;

// Trains PPO on the environment from code (no registry, no files), evaluates it and saves the agent.
// Usage: dotnet run -- [steps] [image]
long steps = args.Length > 0 ? long.Parse(args[0]) : 30_000;
bool image = args.Contains("image");
// Episodes last 9 steps: shorter rollouts (32 steps per env instead of 128) give PPO 4× more updates per sample.
var hyperparameters = new Dictionary<string, object> { ["total_timesteps"] = steps, ["num_steps"] = 32 };
using var agent = Agent.Create("ppo", () => new MyEnvGame(image), hyperparameters, name: image ? "MyEnv-Image-v0" : "MyEnv-v0");
agent.Learn();
var stats = agent.Evaluate(episodes: 100, env: new MyEnvGame(image));
Console.WriteLine($"{agent.EnvId} after {steps} steps: mean return {stats.MeanReturn:F2} (random play about -0.6, perfect 1.0)");
agent.Save("agent");
Console.WriteLine("saved to ./agent (Agent.Load(\"agent\") restores it)");
