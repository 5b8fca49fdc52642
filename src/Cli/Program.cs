namespace DeepRL.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        ClusterThreadPool.ConfigureFor(args);
        return DeepRlCli.Run(args, Console.Out, Console.Error);
    }
}
