using DeepRL.Agents.Training;

namespace DeepRL.Tests.Agents;

[Category("Fast")]
public class EpisodeTrackerTests
{
    [Test]
    public void The_recent_mean_covers_the_last_hundred_episodes_and_survives_a_resume()
    {
        var tracker = new EpisodeTracker(resumed: null);
        Assert.That(tracker.RecentMeanReturn, Is.Null, "no episode yet");
        for (int i = 1; i <= 150; i++) tracker.Add(i, length: i * 2);
        Assert.That(tracker.Count, Is.EqualTo(150));
        Assert.That(tracker.Last, Is.EqualTo((150.0, 300)));
        Assert.That(tracker.RecentMeanReturn, Is.EqualTo(Enumerable.Range(51, 100).Average()));

        var resumed = new EpisodeTracker(new RunState { Episodes = tracker.Count, RecentReturns = tracker.RecentReturns });
        resumed.Add(1000, 10);
        Assert.That(resumed.Count, Is.EqualTo(151));
        Assert.That(resumed.RecentMeanReturn, Is.EqualTo(Enumerable.Range(52, 99).Append(1000).Average()));
    }
}
