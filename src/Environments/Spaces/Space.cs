namespace DeepRL.Environments.Spaces;

/// <summary>The set of valid observations or actions of an environment (Gymnasium's <c>Space</c>).</summary>
public abstract class Space
{
    /// <summary>Shape of one element: <c>[]</c> for a scalar discrete value.</summary>
    public abstract int[] Shape { get; }

    /// <summary>Number of floats one element occupies when flattened.</summary>
    public int FlatSize
    {
        get
        {
            int size = 1;
            foreach (int d in Shape) size *= d;
            return size;
        }
    }
}
