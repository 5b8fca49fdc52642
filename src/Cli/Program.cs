namespace DeepRL.Cli;

public static class Program
{
    public static int Main(string[] args) => DeepRlCli.Run(args, Console.Out, Console.Error);
}
