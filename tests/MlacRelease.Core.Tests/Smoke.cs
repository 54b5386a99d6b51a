public class Smoke { [Fact] public void T() => (1+1).Should().Be(2); }
