namespace DeepRL.Inference;

/// <summary>
/// Everything one forward pass of an exported policy gives for a batch: the network's scores (logits, Q-values or the
/// Gaussian mean), the value estimate (actor-critic policies) and the greedy actions.
/// </summary>
public sealed record PolicyOutputs(float[] Scores, float[]? Values, long[]? DiscreteActions, float[]? ContinuousActions);
