// Plays episodes of the env a policy was trained on, with the exported policy only:
//   deeprl export --run runs/X --out policy.onnx
//   dotnet run --project examples/OnnxPlayer -- policy.onnx [episodes]
using DeepRL.Environments;
using DeepRL.Inference;

string path = args.Length > 0 ? args[0] : "policy.onnx";
int episodes = args.Length > 1 ? int.Parse(args[1]) : 3;

using var policy = OnnxPolicy.Load(path);
Console.WriteLine($"{policy.Algorithm} {policy.PolicyKind} policy for {policy.EnvId}: observations {policy.ObservationSpace}, actions {policy.ActionSpace}");

// The env the policy expects: same id and options as in training (its file says which).
using var env = EnvRegistry.Default.Make(policy.EnvId, new EnvOptions(policy.EnvOptions.ToDictionary()));
var masker = ActionMask.Of(env); // envs with invalid actions say which are valid
var mask = masker is null || !policy.AcceptsActionMask ? null : new bool[env.ActionSpace is DeepRL.Environments.Spaces.Discrete d ? d.N : 0];
var state = policy.IsRecurrent ? policy.InitialState() : null;
var action = new float[env.ActionSpace.FlatSize];

for (int episode = 0; episode < episodes; episode++)
{
    var observation = env.Reset(seed: episode).Observation;
    state?.Reset(); // a recurrent policy starts each episode with an empty memory
    double total = 0;
    int steps = 0;
    while (true)
    {
        EnvAction chosen;
        if (env.ActionSpace is DeepRL.Environments.Spaces.Discrete)
        {
            if (mask is not null) masker!.WriteActionMask(mask);
            chosen = state is null ? policy.Predict(observation, mask) : policy.PredictRecurrent(observation, state, mask);
        }
        else
        {
            policy.PredictContinuous(observation, 1, action, state);
            chosen = action;
        }
        var step = env.Step(chosen);
        total += step.Reward;
        steps++;
        observation = step.Observation;
        if (step.Done) break;
    }
    Console.WriteLine($"episode {episode + 1}: return {total:F1} in {steps} steps");
}
