// An integrator's own journey, written in TypeScript, for `zignsec-mock scenarios list --dir journeys`.
import { defineJourney, type Journey } from 'zignsec-mock/scenarios';

const journey: Journey = defineJourney({
  name: 'consumer-journey',
  description: "An integrator's own journey.",
  tags: ['integrator-own'],
  async run(context) {
    await context.page.goto(context.baseUrl);
  },
});

export default journey;
